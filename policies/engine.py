"""Evaluating a proposed action against the policy, and checking who may approve it. Pure: no I/O, no LLM.

Built-in guards come first and no rule can loosen them: an unknown tool is denied;
a PLC write must go to a writable tag, inside its limits, within its maximum step
(invariant 2); a critical action always needs two distinct approvers.
"""

from __future__ import annotations

from policies.model import ActionContext, Decision, Deny, RequireApproval, Risk, Role
from policies.rules import Policy

CRITICAL_APPROVERS = 2


class ApprovalRefused(PermissionError):
    """This person may not approve this action (their own, wrong role, or already approved by them)."""


def _fmt(value: float) -> str:
    return f"{value:g}"


def plc_write_violations(ctx: ActionContext) -> list[str]:
    """Why a PLC write is out of bounds, in words an operator understands; empty when it is fine."""
    if not ctx.is_plc_write:
        return []
    where = f"{ctx.machine_id} {ctx.tag}"
    if not ctx.tag_writable:
        return [f"{where} is not on the plant's write allow-list"]
    if ctx.new_value is None:
        return [f"no new value given for {where}"]
    problems = []
    if ctx.tag_max is not None and ctx.new_value > ctx.tag_max:
        problems.append(f"{where} {_fmt(ctx.new_value)} is above the limit {_fmt(ctx.tag_max)}")
    if ctx.tag_min is not None and ctx.new_value < ctx.tag_min:
        problems.append(f"{where} {_fmt(ctx.new_value)} is below the limit {_fmt(ctx.tag_min)}")
    if ctx.tag_max_step is not None:
        if ctx.step is None:
            problems.append(f"the current value of {where} is unknown, so the step cannot be checked")
        elif ctx.step > ctx.tag_max_step:
            problems.append(
                f"{where} would change by {_fmt(ctx.step)}, more than the maximum step {_fmt(ctx.tag_max_step)} "
                "per write; change it in smaller steps"
            )
    return problems


def evaluate(policy: Policy, ctx: ActionContext) -> Decision:
    """The decision for one proposed action: allow, require approval (who, how many, why), or deny (why)."""
    if ctx.tool not in policy.known_tools:
        return Deny(reasons=[f"unknown tool {ctx.tool!r}: only the plant's registered tools may run"])
    if problems := plc_write_violations(ctx):
        return Deny(reasons=problems)
    decision = next((r.decision() for r in policy.tools.get(ctx.tool, []) if r.when.holds(ctx)), None)
    decision = decision or policy.defaults[ctx.risk].decision()
    if ctx.risk is Risk.critical:
        if not isinstance(decision, (RequireApproval, Deny)):
            decision = policy.defaults[Risk.critical].decision()
        if isinstance(decision, RequireApproval) and decision.approvers < CRITICAL_APPROVERS:
            decision = decision.model_copy(
                update={"approvers": CRITICAL_APPROVERS,
                        "reasons": [*decision.reasons, "critical actions need two people"]}
            )
    return decision


def check_approver(
    decision: RequireApproval, requester: str, approver: str, approver_role: Role, already_approved_by: list[str]
) -> None:
    """Raise ApprovalRefused unless ``approver`` may add an approval to this action."""
    if approver == requester:
        raise ApprovalRefused(f"{approver} asked for this action and cannot approve it")
    if approver_role not in decision.roles:
        needed = " or ".join(decision.roles)
        raise ApprovalRefused(f"{approver} is {approver_role}; this action needs approval by {needed}")
    if approver in already_approved_by:
        raise ApprovalRefused(f"{approver} has already approved this action; it needs someone else")


def is_satisfied(decision: RequireApproval, approved_by: list[str]) -> bool:
    return len(set(approved_by)) >= decision.approvers
