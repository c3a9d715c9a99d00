"""The act node: run a call the gate let through, as a ladder of small steps.

``Act.settle`` returns a change's reply found in the ledger, else hands down to ``_until_cleared`` (sign-off
where the policy asks for it, then the re-check on fresh facts, again until it clears or is refused), which
hands down to ``_execute`` (audited; a change once, under its idempotency key). The gate uses ``settle`` itself
for a read the policy allows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from pydantic_core import to_jsonable_python

from connectors.errors import ConnectorError
from copilot.agent.binding import covered, differences
from copilot.agent.messages import as_text, problem, tool_reply
from copilot.agent.normal import from_normal
from copilot.agent.runtime import TOOL_ERRORS, Runtime
from copilot.agent.signoff import Shown, Signed, sign_off
from copilot.agent.state import Ticket
from copilot.agent.status import Status
from copilot.store.audit import AuditKind
from copilot.store.ledger import RunStatus, run_unkept
from policies.engine import evaluate
from policies.model import ActionContext, ActionFacts, Allow, Decision, Deny, RequireApproval, Role
from tools.base import Call, Tool


def context_of(tool: Tool, arguments: dict, user: str, role: Role, facts: ActionFacts,
               procedure: str | None = None) -> ActionContext:
    """What the policy judges: the tool, its arguments, who asks, the facts it gathered, the procedure whose step
    it is."""
    return ActionContext(tool=tool.name, risk=tool.risk, arguments=arguments, requester=user, role=role,
                         procedure=procedure, **facts.model_dump())


def ran_reply(call: ToolCall, status: RunStatus, result: Any, shown: Shown) -> ToolMessage:
    """The reply for an action that ran: its result, what failed, or that it may have happened."""
    if status is RunStatus.failed:
        return tool_reply(call, Status.error, result["message"], **shown.artifact())
    if status is RunStatus.unconfirmed:
        return tool_reply(call, Status.unconfirmed, f"{result['message']}. Proposing exactly this call again retries "
                          "this same action under its key, so it is not made twice.", **shown.artifact())
    return tool_reply(call, Status.done, as_text(result), result=result, **shown.artifact())


def _value(result: Any, key: str, default: Any) -> Any:
    return result.get(key, default) if isinstance(result, dict) else default


@dataclass(frozen=True)
class Rechecked:
    """The policy's judgement again on fresh facts, just before the action runs, and what moved since."""

    facts: ActionFacts
    decision: Decision
    moved: list[str]


@dataclass
class Act:
    """The ``act`` node."""

    rt: Runtime

    async def __call__(self, ticket: Ticket) -> dict:
        return {"messages": [await self.settle(ticket)]}

    async def settle(self, ticket: Ticket) -> ToolMessage:
        """The reply of a ticket's call: what it returned, or why it did not run."""
        shown, tool = Shown.of(ticket), self.rt.tools[ticket.tool]
        if tool.changes and (ran := self.rt.ledger.lookup(ticket.action_id)) is not None:  # replayed after it ran
            return ran_reply(ticket.call, ran.status, ran.result, shown)
        return await self._until_cleared(ticket, tool, shown)

    async def _until_cleared(self, ticket: Ticket, tool: Tool, shown: Shown) -> ToolMessage:
        """Sign-off when the policy asks for one, then the re-check; the action runs only when, judged again on
        fresh facts, the policy still lets it and nothing the approvers saw has moved (copilot/agent/binding.py);
        otherwise it goes back for a new approval, or is refused."""
        facts, decision, approvals, queued = ticket.facts, ticket.decision, [], False
        while True:
            if isinstance(decision, RequireApproval):
                signed = sign_off(self.rt, ticket, facts, decision, shown)
                if not isinstance(signed, Signed):
                    return signed
                facts, approvals, queued = signed.facts, signed.approvals, True
                shown.approvers = [name for name, _ in approvals]
            again = await self._recheck(ticket, tool, facts)
            if not isinstance(again, Rechecked):
                return tool_reply(ticket.call, Status.error, "not run: its facts could not be checked again just "
                                  f"before it ran: {again}", **shown.artifact())
            if isinstance(again.decision, Deny):
                shown.decision = again.decision
                return tool_reply(ticket.call, Status.denied, "not run: judged again just before it ran, it is "
                                  "refused by policy: " + "; ".join(again.decision.reasons), **shown.artifact())
            if self._cleared(again, approvals, ticket.user):
                return await self._execute(ticket, tool, again.facts, shown)
            facts, decision, approvals = self._reopened(ticket, again, queued), again.decision, []
            shown.decision, shown.change, shown.approvers = again.decision, facts.change, []

    async def _recheck(self, ticket: Ticket, tool: Tool, facts: ActionFacts) -> Rechecked | str:
        """The facts gathered again and judged again (audited), or why they could not be."""
        try:
            fresh = await asyncio.wait_for(tool.describe(self.rt.deps, tool.parse(ticket.arguments)),
                                           self.rt.settings.tool_timeout_s)
        except TOOL_ERRORS as exc:
            return problem(exc)
        fresh = from_normal(self.rt, fresh)
        now = evaluate(self.rt.policy, context_of(tool, ticket.arguments, ticket.user, ticket.role, fresh,
                                                  ticket.procedure))
        moved = differences(facts, fresh, self.rt.settings.approval_tolerance)
        self.rt.audit.append(kind=AuditKind.recheck, actor="policy", thread_id=ticket.thread_id,
                             action_id=ticket.action_id, tool=ticket.tool, arguments=ticket.arguments,
                             decision=now.model_dump(mode="json"), result={"moved": moved},
                             old_value=fresh.old_value, new_value=fresh.new_value)
        return Rechecked(fresh, now, moved)

    @staticmethod
    def _cleared(again: Rechecked, approvals: list[tuple[str, Role]], requester: str) -> bool:
        """Whether it may run now: its approvals cover the decision, and nothing approved moved (or none needed)."""
        return covered(again.decision, approvals, requester) and (not again.moved or isinstance(again.decision, Allow))

    def _reopened(self, ticket: Ticket, again: Rechecked, queued: bool) -> ActionFacts:
        """The fresh facts, saying what changed since it was judged; a queued action is opened again with them."""
        since = "; ".join(again.moved) if again.moved else f"the policy now {again.decision.summary()}"
        change = f"{again.facts.change} (changed since it was judged: {since})"
        fresh = again.facts.model_copy(update={"change": change})
        if queued:
            self.rt.queue.reopen(ticket.action_id, decision=again.decision, change=fresh.change,
                                 facts=fresh.model_dump(mode="json"))
        return fresh

    async def _execute(self, ticket: Ticket, tool: Tool, facts: ActionFacts, shown: Shown) -> ToolMessage:
        """Run it, a change once under its idempotency key (the ledger), audited before and after; start the twin's
        check."""
        args = tool.parse(ticket.arguments)
        approvers = shown.approvers or []

        async def run() -> Any:
            self.rt.audit.append(kind=AuditKind.execution, actor=ticket.user, thread_id=ticket.thread_id,
                                 action_id=ticket.action_id, tool=ticket.tool, arguments=ticket.arguments,
                                 approvers=approvers)
            result = await asyncio.wait_for(
                tool.run(self.rt.deps, args, Call(requester=ticket.user, idempotency_key=ticket.action_id)),
                self.rt.settings.tool_timeout_s,
            )
            return to_jsonable_python(result)

        def unconfirmed(exc: BaseException) -> bool:  # sent, and maybe made: kept open for a retry under its key
            return isinstance(exc, TimeoutError) or (isinstance(exc, ConnectorError) and exc.unconfirmed)

        once = self.rt.ledger.run_once if tool.changes else run_unkept  # a read is simply read again
        outcome = await once(ticket.action_id, ticket.tool, run, errors=TOOL_ERRORS, unconfirmed=unconfirmed)
        if outcome.fresh and outcome.status is RunStatus.done:
            await self.rt.twin_checks.start(self.rt.deps.history, ticket.action_id, facts.prediction)
        if outcome.fresh:
            self.rt.audit.append(kind=AuditKind.result, actor=ticket.user, thread_id=ticket.thread_id,
                                 action_id=ticket.action_id, tool=ticket.tool, arguments=ticket.arguments,
                                 approvers=approvers, result=outcome.result,
                                 old_value=_value(outcome.result, "old_value", facts.old_value),
                                 new_value=_value(outcome.result, "new_value", facts.new_value))
        return ran_reply(ticket.call, outcome.status, outcome.result, shown)
