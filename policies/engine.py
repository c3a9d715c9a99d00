"""Evaluating a proposed action against the policy, and checking who may approve it. Pure: no I/O, no LLM.

Built-in guards come first and no rule can loosen them: an unknown tool is denied;
a PLC write must go to a writable tag, inside its limits, within its maximum step
(invariant 2); a write that starts or stops a machine is critical whichever tool
makes it; a critical action always needs two distinct approvers. Then the first
rule that applies decides, else the default of the action's risk class.
"""

from __future__ import annotations

import math
from enum import StrEnum

from policies.model import ActionContext, Allow, Decision, Deny, RequireApproval, Risk, Role
from policies.rules import Policy

CRITICAL_APPROVERS = 2
UNKNOWN_TOOL = "built-in: unknown tool"
PLANT_LIMITS = "built-in: plant limits"


def _num(value: float | None, unit: str | None = None) -> str:
    return f"{value:g} {unit}" if unit else f"{value:g}"


def plc_write_violations(ctx: ActionContext) -> list[str]:
    """Why a PLC write is out of bounds, in words an operator understands; empty when it is within bounds.

    Fails closed: a tag not known to be writable, a missing or non-finite value, missing
    limits, or an unknown current value (when there is a maximum step) are all violations. A change of several
    setpoints (``writes``) is checked setpoint by setpoint, each as a write of its own.
    """
    if ctx.writes:
        return [problem for write in ctx.writes
                for problem in plc_write_violations(ctx.model_copy(update={**dict(write), "writes": []}))]
    if not ctx.is_plc_write:
        return []
    where = " ".join(p for p in (ctx.machine_id, ctx.tag) if p)
    if reason := _unchecked(ctx, where):
        return [reason]
    return _limit_violations(ctx, where) + _step_violations(ctx, where)


def _unchecked(ctx: ActionContext, where: str) -> str | None:
    """Why the write cannot be checked against the tag's limits at all, or None when it can."""
    if not ctx.tag_writable:
        return f"{where} is not on the plant's write allow-list; only setpoints and run commands may be written"
    new = ctx.new_number
    if new is None:
        return f"no numeric new value was given for {where}"
    if not math.isfinite(new):
        return f"the new value for {where} is not a finite number"
    if ctx.tag_min is None or ctx.tag_max is None:
        return f"{where} has no engineering limits in the plant file, so a write to it cannot be checked"
    return None


def _limit_violations(ctx: ActionContext, where: str) -> list[str]:
    """The new value above the tag's maximum or below its minimum (both known, the value finite)."""
    new, unit = ctx.new_number, ctx.unit
    problems = []
    if new > ctx.tag_max:
        problems.append(f"{where} {_num(new, unit)} is above the limit {_num(ctx.tag_max, unit)}")
    if new < ctx.tag_min:
        problems.append(f"{where} {_num(new, unit)} is below the limit {_num(ctx.tag_min, unit)}")
    return problems


def _step_violations(ctx: ActionContext, where: str) -> list[str]:
    """The change larger than the tag's maximum step, or not measurable; empty when the tag has no maximum step."""
    if ctx.tag_max_step is None:
        return []
    step, unit = ctx.step, ctx.unit
    if step is None or not math.isfinite(step):
        return [f"the current value of {where} is unknown, so the size of the change cannot be checked"]
    if step > ctx.tag_max_step:
        return [
            f"{where} would change by {_num(step, unit)} ({_num(ctx.old_number)} → {_num(ctx.new_number, unit)}), "
            f"more than the maximum step of {_num(ctx.tag_max_step, unit)} per write; change it in smaller steps"
        ]
    return []


def evaluate(policy: Policy, ctx: ActionContext) -> Decision:
    """The decision for one proposed action: allow, require approval (who, how many, why), or deny (why).

    A tool the policy is not bound to (:meth:`Policy.bind`: the registry's tools) is unknown.
    """
    if ctx.tool not in policy.tools:
        return Deny(reasons=[f"{ctx.tool!r} is not one of the plant's tools, so it cannot run"], rule=UNKNOWN_TOOL)
    if problems := plc_write_violations(ctx):
        return Deny(reasons=problems, rule=PLANT_LIMITS, owner=policy.owner_of(ctx.procedure))
    starts_or_stops = (ctx.is_plc_write and ctx.run_command) or any(w.run_command for w in ctx.writes)
    if starts_or_stops and ctx.risk is not Risk.critical:
        ctx = ctx.model_copy(update={"risk": Risk.critical})  # the effect decides, not the tool's name
    rule = next((r for r in policy.rules_for(ctx.tool) if r.applies(ctx)), None)
    owner = policy.owner_of(ctx.procedure) if ctx.risk is not Risk.read else None  # a read changes nothing owned
    if rule is not None:
        decision = rule.decision(rule.name, rule.owner or owner)
        if rule.when.predicted_alarm:  # a rule on the prediction names what was predicted, or why it could not be
            decision = decision.model_copy(update={"reasons": [*decision.reasons, *ctx.prediction_reasons()]})
    else:
        decision = policy.defaults.of(ctx.risk).decision(f"default: {ctx.risk} actions", owner)
    if ctx.risk is Risk.critical:
        decision = _at_least_two_people(policy, decision)
    return decision


def _at_least_two_people(policy: Policy, decision: Decision) -> Decision:
    """A critical action is never allowed outright nor approved by one person, whatever a rule says."""
    floor = "critical actions always need two different approvers"
    if isinstance(decision, Allow):
        default = policy.defaults.critical.decision("default: critical actions", decision.owner)
        because = f"rule {decision.rule!r} would allow it, but {floor}"
        return default.model_copy(update={"reasons": [*default.reasons, because]})
    if isinstance(decision, RequireApproval) and decision.approvers < CRITICAL_APPROVERS:
        return decision.model_copy(update={"approvers": CRITICAL_APPROVERS, "reasons": [*decision.reasons, floor]})
    return decision


class RefusalReason(StrEnum):
    """Which rule of sign-off refuses an approval."""

    own_action = "own_action"
    wrong_role = "wrong_role"
    already_approved = "already_approved"
    complete = "complete"
    no_name = "no_name"


class ApprovalRefused(PermissionError):
    """This person may not approve this action; ``reason`` says which rule of sign-off stops them."""

    def __init__(self, message: str, reason: RefusalReason) -> None:
        super().__init__(message)
        self.reason = reason


def _person(name: str) -> str:
    """Names compare without case or surrounding blanks: "Sam " is sam."""
    return name.strip().casefold()


def check_approver(
    decision: RequireApproval, requester: str, approver: str, approver_role: Role, already_approved_by: list[str]
) -> None:
    """Raise ApprovalRefused unless ``approver`` may add an approval to this action.

    Never the requester, only a role the decision names, never the same person twice,
    and not beyond the approvals the decision needs.
    """
    if not _person(approver):
        raise ApprovalRefused("an approval needs the approver's name", RefusalReason.no_name)
    if _person(approver) == _person(requester):
        raise ApprovalRefused(f"{approver} asked for this action and cannot approve it; someone else must",
                              RefusalReason.own_action)
    if approver_role not in decision.roles:
        needed = " or ".join(decision.roles)
        raise ApprovalRefused(f"{approver} is {_a(approver_role)} {approver_role}; this action needs approval by "
                              f"{_a(decision.roles[0])} {needed}", RefusalReason.wrong_role)
    approved = {_person(a) for a in already_approved_by}
    if _person(approver) in approved:
        raise ApprovalRefused(f"{approver} has already approved this action; it needs "
                              f"{decision.approvers} different people", RefusalReason.already_approved)
    if len(approved) >= decision.approvers:
        raise ApprovalRefused("this action already has all the approvals it needs", RefusalReason.complete)


def is_satisfied(decision: RequireApproval, approvals: list[str], requester: str | None = None) -> bool:
    """Enough different people approved; the requester, when given, never counts."""
    people = {_person(a) for a in approvals if _person(a)}
    if requester is not None:
        people.discard(_person(requester))
    return len(people) >= decision.approvers


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
