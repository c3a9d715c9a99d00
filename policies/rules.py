"""The policy file an admin edits (config/policy.yaml): per tool, ordered rules of conditions and outcomes.

A rule holds when every condition in its ``when`` holds; the first rule of a tool
that holds decides. With none, the default of the tool's risk class decides. The
condition language is small on purpose: comparisons and memberships, no code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.model import ActionContext, Allow, Decision, Deny, RequireApproval, Risk, Role


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    """Conditions on the action and its context; all given ones must hold."""

    role: list[Role] | None = None
    amount_above: float | None = None
    amount_at_most: float | None = None
    quantity_above: float | None = None
    step_share_above: float | None = Field(default=None, description="step / the tag's maximum step per write")
    machine_state: list[str] | None = None
    line: list[str] | None = None
    arguments: dict[str, Any] | None = Field(default=None, description="argument equals value")
    facts: dict[str, list[Any]] | None = Field(default=None, description="a gathered fact is one of the values")

    def holds(self, ctx: ActionContext) -> bool:
        def above(value: float | None, limit: float | None) -> bool:
            return limit is None or (value is not None and value > limit)

        return (
            (self.role is None or ctx.role in self.role)
            and above(ctx.amount, self.amount_above)
            and (self.amount_at_most is None or (ctx.amount is not None and ctx.amount <= self.amount_at_most))
            and above(ctx.quantity, self.quantity_above)
            and above(ctx.step_share_of_max, self.step_share_above)
            and (self.machine_state is None or ctx.machine_state in self.machine_state)
            and (self.line is None or ctx.line_id in self.line)
            and all(ctx.arguments.get(k) == v for k, v in (self.arguments or {}).items())
            and all(ctx.extra.get(k) in values for k, values in (self.facts or {}).items())
        )


class ApprovalSpec(_Strict):
    roles: list[Role] = Field(min_length=1)
    approvers: int = Field(default=1, ge=1, le=5)
    reason: str


class Outcome(_Strict):
    """Exactly one of allow / require_approval / deny, each with its reason."""

    allow: str | None = None
    require_approval: ApprovalSpec | None = None
    deny: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Outcome:
        if sum(x is not None for x in (self.allow, self.require_approval, self.deny)) != 1:
            raise ValueError("give exactly one of allow, require_approval, deny")
        return self

    def decision(self) -> Decision:
        if self.allow is not None:
            return Allow(reasons=[self.allow])
        if self.deny is not None:
            return Deny(reasons=[self.deny])
        spec = self.require_approval
        return RequireApproval(roles=spec.roles, approvers=spec.approvers, reasons=[spec.reason])


class Rule(Outcome):
    name: str = ""
    when: When = When()


class Policy(_Strict):
    known_tools: list[str] = Field(min_length=1)
    defaults: dict[Risk, Outcome]
    tools: dict[str, list[Rule]] = {}

    @model_validator(mode="after")
    def _complete(self) -> Policy:
        missing = set(Risk) - set(self.defaults)
        if missing:
            raise ValueError(f"defaults lack the risk classes: {', '.join(sorted(missing))}")
        unknown = set(self.tools) - set(self.known_tools)
        if unknown:
            raise ValueError(f"rules for tools not in known_tools: {', '.join(sorted(unknown))}")
        return self

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read and validate the policy file; errors name the tool and rule index at fault."""
        with open(path, encoding="utf-8") as fh:
            return cls.model_validate(yaml.safe_load(fh))
