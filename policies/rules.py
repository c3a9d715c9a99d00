"""The policy file an admin edits (config/policy.yaml), loaded into checked models.

The file holds a default outcome per risk class and one ordered list of rules; which
tools exist is the tool registry's to say, and the policy is bound to its names when it
loads (a rule that names no tool of the registry is refused then). A rule selects
tools (by name, glob or risk class), states conditions on the action and its
context, and gives one outcome. The first rule
that selects the tool and whose conditions all hold decides; with none, the
default of the action's risk class does. The condition language is small on
purpose: memberships and numeric comparisons of named facts, no expressions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, ValidationError, model_validator

from connectors.site import config_data
from policies.model import ActionContext, Allow, Decision, Deny, RequireApproval, Risk, Role

Scalar = str | int | float | bool | None

Owner = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80, pattern=r"^[^\n\r\t]+$")]
"""Who owns a rule or a procedure's changes (a person or a team, one line): the one to ask about a denial or an
approval it decided."""


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file, the rule and the field at fault."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """A numeric comparison; every bound given must hold (``{above: 500, at_most: 5000}``)."""

    above: float | None = None
    at_least: float | None = None
    below: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> Range:
        if all(b is None for b in (self.above, self.at_least, self.below, self.at_most)):
            raise ValueError("give at least one of above, at_least, below, at_most")
        return self

    def holds(self, value: Any) -> bool:
        """False for a missing, non-numeric or NaN value: a condition on an unknown number does not hold."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return False
        return (
            (self.above is None or value > self.above)
            and (self.at_least is None or value >= self.at_least)
            and (self.below is None or value < self.below)
            and (self.at_most is None or value <= self.at_most)
        )


def _same(a: Any, b: Any) -> bool:
    """Equality that takes neither True for 1 nor "1" for 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


Match = Range | list[Scalar] | Scalar
"""A condition on one named value: a Range, a list (is one of), or a single value (equals)."""


def _matches(condition: Match, value: Any) -> bool:
    if isinstance(condition, Range):
        return condition.holds(value)
    if isinstance(condition, list):
        return any(_same(value, c) for c in condition)
    return _same(value, condition)


class When(_Strict):
    """Conditions on the action and its context. All given ones must hold; an empty ``when`` always holds."""

    role: list[Role] | None = Field(default=None, min_length=1)
    machine: list[str] | None = Field(default=None, min_length=1)
    line: list[str] | None = Field(default=None, min_length=1)
    machine_state: list[str] | None = Field(default=None, min_length=1)
    tag: list[str] | None = Field(default=None, min_length=1)
    amount: Range | None = None
    quantity: Range | None = None
    new_value: Range | None = None
    step: Range | None = None
    step_fraction_of_max_step: Range | None = None
    step_fraction_of_range: Range | None = None
    predicted_alarm: bool | None = None  # the twin's dry run crosses an alarm limit (or does not); fails closed
    predicted_settle_minutes: Range | None = None
    arguments: dict[str, Match] | None = None
    facts: dict[str, Match] | None = None

    def holds(self, ctx: ActionContext) -> bool:
        memberships = (
            (self.role, ctx.role),
            (self.machine, ctx.machine_id),
            (self.line, ctx.line_id),
            (self.machine_state, ctx.machine_state),
            (self.tag, ctx.tag),
        )
        ranges = (
            (self.amount, ctx.amount),
            (self.quantity, ctx.quantity),
            (self.new_value, ctx.new_number),
            (self.step, ctx.step),
            (self.step_fraction_of_max_step, ctx.step_fraction_of_max_step),
            (self.step_fraction_of_range, ctx.step_fraction_of_range),
            (self.predicted_settle_minutes, ctx.predicted_settle_minutes),
        )
        return (
            self._prediction_holds(ctx)
            and all(allowed is None or value in allowed for allowed, value in memberships)
            and all(r is None or r.holds(value) for r, value in ranges)
            and all(_matches(c, ctx.arguments.get(k)) for k, c in (self.arguments or {}).items())
            and all(_matches(c, ctx.extra.get(k)) for k, c in (self.facts or {}).items())
        )


    def _prediction_holds(self, ctx: ActionContext) -> bool:
        """``predicted_alarm: true`` also holds on a write whose dry run could not be made (no twin, no model):
        unknown is judged as an alarm; ``false`` holds only when the twin predicts none."""
        if self.predicted_alarm is None:
            return True
        predicted = ctx.predicted_alarm
        if predicted is None:
            return self.predicted_alarm and bool(ctx.predictions)
        return predicted is self.predicted_alarm


class Approval(_Strict):
    """A rule's ``require_approval``: the roles that may approve (each once), how many approvers, and why."""

    roles: list[Role] = Field(min_length=1)
    approvers: int = Field(default=1, ge=1, le=5)
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct_roles(self) -> Approval:
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("a role is listed twice")
        return self


class Effect(_Strict):
    """Exactly one of ``allow: reason``, ``require_approval: {roles, approvers, reason}``, ``deny: reason``."""

    allow: str | None = Field(default=None, min_length=1)
    require_approval: Approval | None = None
    deny: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Effect:
        given = [k for k in ("allow", "require_approval", "deny") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of allow, require_approval, deny (got {', '.join(given) or 'none'})")
        return self

    def decision(self, rule: str, owner: str | None = None) -> Decision:
        if self.allow is not None:
            return Allow(reasons=[self.allow], rule=rule, owner=owner)
        if self.deny is not None:
            return Deny(reasons=[self.deny], rule=rule, owner=owner)
        spec = self.require_approval
        return RequireApproval(roles=spec.roles, approvers=spec.approvers, reasons=[spec.reason], rule=rule,
                               owner=owner)


class Rule(Effect):
    """One line of policy: for which tools, under which conditions, what outcome."""

    name: str = Field(min_length=1)
    tools: list[str] | None = Field(default=None, min_length=1, description="tool names or globs such as create_*")
    risk: list[Risk] | None = Field(default=None, min_length=1, description="risk classes the rule is for")
    when: When = When()
    owner: Owner | None = None

    @model_validator(mode="after")
    def _selects_something(self) -> Rule:
        if self.tools is None and self.risk is None:
            raise ValueError('say which actions the rule is for: tools (names or globs, "*" for all) and/or risk')
        return self

    def selects_tool(self, tool: str) -> bool:
        return self.tools is None or any(fnmatchcase(tool, pattern) for pattern in self.tools)

    def applies(self, ctx: ActionContext) -> bool:
        """The rule is for the action's risk class and its conditions hold (the tool is already selected)."""
        return (self.risk is None or ctx.risk in self.risk) and self.when.holds(ctx)


class Defaults(_Strict):
    """What happens when no rule decides, per risk class."""

    read: Effect
    write: Effect
    critical: Effect

    @model_validator(mode="after")
    def _critical_needs_two(self) -> Defaults:
        spec = self.critical.require_approval
        if self.critical.allow is not None or (spec is not None and spec.approvers < 2):
            raise ValueError("the default for critical actions must be deny, or require_approval with at least "
                             "2 approvers")
        return self

    def of(self, risk: Risk) -> Effect:
        return getattr(self, risk.value)


class ProcedurePolicy(_Strict):
    """What the policy file says of one procedure: who owns its changes."""

    owner: Owner


class Policy(_Strict):
    """The rules and defaults of the file, bound to the tools of the registry (:meth:`bind`); an unbound policy
    knows no tool, so it denies every action."""

    known_tools: list[str] | None = Field(default=None, min_length=1)
    """No longer needed: the registry says which tools exist. A file that still lists them keeps its meaning (only
    the tools listed may run, so an old file lets no new tool through unseen) and a name the registry lacks is an
    error; delete the list to let every registered tool be judged by the rules."""
    defaults: Defaults
    rules: list[Rule] = []
    procedures: dict[str, ProcedurePolicy] = {}
    """Who owns each procedure's changes, by procedure name (a name no procedure in use has is refused at start)."""

    _by_tool: dict[str, tuple[Rule, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.known_tools is not None and len(set(self.known_tools)) != len(self.known_tools):
            raise ValueError("known_tools lists a tool twice")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule {rule.name!r}: another rule has the same name; names must be unique")
            seen.add(rule.name)
        return self

    @property
    def tools(self) -> tuple[str, ...]:
        """The tools this policy judges (the registry's, bound); any other is denied."""
        return tuple(self._by_tool)

    def bind(self, tools: Iterable[str], source: str = "policy") -> Policy:
        """This policy for the registry's ``tools``; PolicyError for a rule (or a ``known_tools`` entry) that
        names no tool of the registry."""
        registry = list(tools)
        problems = [f"known_tools: {name!r} is not a tool of the registry (tools: {', '.join(registry)})"
                    for name in self.known_tools or [] if name not in registry]
        problems += [f"rule {rule.name!r}: tools entry {pattern!r} matches no known tool (known: {', '.join(registry)})"
                     for rule in self.rules for pattern in rule.tools or []
                     if not any(fnmatchcase(t, pattern) for t in registry)]
        if problems:
            raise PolicyError(f"{source} is not a valid policy:\n  " + "\n  ".join(problems))
        bound = self.model_copy()
        known = [t for t in registry if self.known_tools is None or t in self.known_tools]
        bound._by_tool = {t: tuple(r for r in self.rules if r.selects_tool(t)) for t in known}
        return bound

    def owner_of(self, procedure: str | None) -> str | None:
        """The owner the file names for a procedure; None when it names none."""
        found = self.procedures.get(procedure) if procedure else None
        return found.owner if found else None

    def check_procedures(self, names: Iterable[str], source: str = "policy") -> None:
        """PolicyError when the file names the owner of a procedure that is not among ``names`` (the procedures
        file's)."""
        known = list(names)
        strangers = [name for name in self.procedures if name not in known]
        if strangers:
            raise PolicyError(f"{source}: procedures: {strangers[0]!r} is no procedure of the procedures file "
                              f"(procedures: {', '.join(known)})")

    def rules_for(self, tool: str) -> tuple[Rule, ...]:
        """The rules that select ``tool``, in file order (none for an unknown tool)."""
        return self._by_tool.get(tool, ())

    @classmethod
    def from_data(cls, data: Any, source: str = "policy", *, tools: Iterable[str]) -> Policy:
        """Check parsed YAML and bind it to the registry's ``tools``; a PolicyError names each problem by its
        rule's name and field."""
        if not isinstance(data, dict):
            raise PolicyError(f"{source}: expected a mapping with defaults and rules")
        try:
            policy = cls.model_validate(data)
        except ValidationError as exc:
            problems = [_describe(error, data) for error in exc.errors()]
            raise PolicyError(f"{source} is not a valid policy:\n  " + "\n  ".join(problems)) from None
        return policy.bind(tools, source)

    @classmethod
    def load(cls, path: str | Path, *, tools: Iterable[str]) -> Policy:
        """Read and check the policy file and bind it to the registry's ``tools`` (PolicyError for a missing file,
        bad YAML, a bad rule or a rule naming no tool of the registry)."""
        return cls.from_data(config_data(path, "policy file", PolicyError), source=str(path), tools=tools)


def _describe(error: Any, data: dict) -> str:
    """One problem in words: where (the rule's name, or the section), which field, what is wrong."""
    loc = [p for p in error["loc"] if not _is_union_branch(p)]
    where = ".".join(str(p) for p in loc) or "the file"
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        raw = (data.get("rules") or [None] * (loc[1] + 1))[loc[1]]
        name = raw.get("name") if isinstance(raw, dict) else None
        where = f"rule {name!r} (rules[{loc[1]}])" if name else f"rules[{loc[1]}] (a rule without a name)"
        if field := ".".join(str(p) for p in loc[2:]):
            where += f", field {field}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (a typo? the conditions are listed at the top of config/policy.yaml)"
    return f"{where}: {message}"


def _is_union_branch(part: Any) -> bool:
    """Pydantic names the union member it tried (``Range``, ``list[...]``, ``str``); people need not see it."""
    return isinstance(part, str) and (part[:1].isupper() or "[" in part or part in ("str", "int", "float", "bool",
                                                                                     "none"))
