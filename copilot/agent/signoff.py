"""Sign-off: an action the policy sends for approval waits in the queue until it is decided.

The wait is LangGraph's ``interrupt``; the conversation resumes on the decision. What comes back is the facts
the approvers saw and who approved them, or the reply why the action does not run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from langchain_core.messages import ToolMessage
from langgraph.types import interrupt

from copilot.agent.messages import tool_reply
from copilot.agent.runtime import Runtime
from copilot.agent.state import Ticket
from copilot.agent.status import Status
from copilot.store.approvals import ApprovalStatus, PendingAction, Verdict
from copilot.store.audit import AuditKind, AuditLog
from policies.model import ActionFacts, Decision, RequireApproval, Role


@dataclass
class Shown:
    """What the operator sees beside an action's reply: its digest, the decision, the change, who approved."""

    digest: str
    decision: Decision
    change: str | None
    action_id: str
    approvers: list[str] | None = field(default=None)

    @classmethod
    def of(cls, ticket: Ticket) -> Shown:
        return cls(ticket.digest, ticket.decision, ticket.facts.change, ticket.action_id)

    def artifact(self) -> dict:
        """The keyword arguments of :func:`~copilot.agent.messages.tool_reply`'s artifact."""
        shown = {"digest": self.digest, "decision": self.decision.model_dump(mode="json"), "change": self.change,
                 "action_id": self.action_id}
        return shown if self.approvers is None else {**shown, "approvers": self.approvers}


@dataclass(frozen=True)
class Signed:
    """An approval as recorded: the facts the approvers saw and who they are."""

    facts: ActionFacts
    approvals: list[tuple[str, Role]]


def sign_off(rt: Runtime, ticket: Ticket, facts: ActionFacts, decision: RequireApproval,
             shown: Shown) -> Signed | ToolMessage:
    """Queue the action and wait for its decision: the facts approved and who approved them, or the reply why
    it does not run (rejected, expired, not approved as it stands, or a vote no genuine audit record proves)."""
    call = ticket.call
    rt.queue.submit(
        action_id=ticket.action_id, thread_id=ticket.thread_id, requester=ticket.user,
        requester_role=ticket.role, tool=ticket.tool, arguments=ticket.arguments, risk=str(rt.tools[ticket.tool].risk),
        decision=decision, change=facts.change, facts=facts.model_dump(mode="json"), via=ticket.via,
    )
    action = rt.queue.get(ticket.action_id)
    while action.status is ApprovalStatus.pending:  # a resume of an earlier round finds it open again: wait on
        interrupt({"action_id": ticket.action_id, "tool": ticket.tool, "change": action.change,
                   "requester": ticket.user, "decision": action.decision.model_dump(mode="json"),
                   "prediction": action.prediction.line if action.prediction else None})
        action = rt.queue.get(ticket.action_id)
    if action.status is ApprovalStatus.rejected:
        why = "; ".join(f"{v.approver}: {v.comment or 'no comment'}" for v in action.votes
                        if v.verdict is Verdict.reject)
        return tool_reply(call, Status.rejected, f"rejected by a supervisor ({why}). Do not propose it again; "
                          "tell the operator.", **shown.artifact())
    if action.status is ApprovalStatus.approved and action.expires_at < time.time():
        action = rt.queue.expire(ticket.action_id)
        return tool_reply(call, Status.not_approved, "not run: it was approved, but did not run within "
                          f"{rt.settings.approval_run_within_minutes:g} minutes of the approval; ask again",
                          **shown.artifact())
    if action.arguments != ticket.arguments or not action.approved_as_shown:
        return tool_reply(call, Status.not_approved, f"not run: the action is {action.status} and has no valid "
                          "approval for these arguments and facts", **shown.artifact())
    if unproven := unproven_votes(rt.audit, action):  # vote rows, or audit rows, written into the database by hand
        why = (f"the approval by {', '.join(unproven)} is not in the audit log as the copilot wrote it (no approval "
               "record of theirs verifies against the log's keyed chain)")
        rt.audit.append(kind=AuditKind.unproven, actor="audit", thread_id=ticket.thread_id,
                        action_id=ticket.action_id, tool=ticket.tool, arguments=ticket.arguments,
                        approvers=unproven, result={"reason": why})
        return tool_reply(call, Status.not_approved, f"not run: {why}", **shown.artifact())
    return Signed(ActionFacts.model_validate(action.facts), action.approvals)


def unproven_votes(audit: AuditLog, action: PendingAction) -> list[str]:
    """The approvers whose vote has no approval record — same approver, role and approved digest — that
    verifies against the audit log's keyed chain: only those records prove a vote was cast in the copilot."""
    proven = {(r.actor, r.result.get("role"), r.result.get("digest")) for r in audit.approvals_of(action.action_id)
              if isinstance(r.result, dict)}
    return sorted(v.approver for v in action.votes
                  if v.verdict is Verdict.approve and (v.approver, str(v.role), v.digest) not in proven)
