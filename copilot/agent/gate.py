"""The gate node: every proposed call through the pre-checks and the policy.

A call that passes becomes a :class:`Ticket`: a read the policy allows goes down the act ladder here, any other
is sent to the act node (one ``Send`` each, so each waits for and resumes on its own approval). Every other call
gets its reply here, saying why it does not run.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from langchain_core.messages import AIMessage, AnyMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, Send

from copilot.agent.act import Act, context_of
from copilot.agent.messages import UNPARSED, current_turn, problem, tool_reply
from copilot.agent.normal import from_normal
from copilot.agent.planning import PLAN, plan_reply, planned_steps
from copilot.agent.prompt import BoundModel
from copilot.agent.runtime import TOOL_ERRORS, Runtime
from copilot.agent.state import AgentState, Ticket, after_results, kept_run, turn_of
from copilot.agent.status import Status, ToolArtifact
from copilot.procedures.run import AUTHOR
from copilot.store.approvals import Origin, action_digest
from copilot.store.audit import AuditKind
from policies.engine import evaluate
from policies.model import ActionContext, Allow, Deny, Risk, Role
from tools.base import ToolArgumentsError


@dataclass(frozen=True)
class Seen:
    """What the conversation already holds that the gate judges a new call against."""

    done_this_turn: frozenset[str]  # digests of calls that ran in this turn
    refused: frozenset[str]  # digests of actions refused or rejected in this conversation
    answered: frozenset[str]  # call ids that have their reply
    calls_before: int  # calls proposed earlier in this turn
    unconfirmed: dict[str, str]  # digest → action id of changes sent but not confirmed: a retry is that action
    made: dict[str, ToolArtifact]  # digest → reply of every change that ran in this conversation

    @classmethod
    def of(cls, messages: list[AnyMessage], turn: list[AnyMessage] | None = None) -> Seen:
        """What ``messages`` hold; ``turn``, the messages of the turn (or task) in hand, by default the current
        turn's."""
        turn = current_turn(messages) if turn is None else turn
        results = [(m, ToolArtifact.of(m)) for m in messages if isinstance(m, ToolMessage)]
        in_turn = {id(m) for m in turn}
        return cls(
            done_this_turn=frozenset(a.digest for m, a in results
                                     if id(m) in in_turn and a.status is Status.done and a.digest),
            refused=frozenset(a.digest for _, a in results
                              if a.status in (Status.rejected, Status.denied) and a.digest),
            answered=frozenset(m.tool_call_id for m, _ in results),
            unconfirmed={a.digest: a.action_id for _, a in results
                         if a.status is Status.unconfirmed and a.digest and a.action_id},
            made={a.digest: a for _, a in results if a.status is Status.done and a.digest},
            calls_before=sum(len(m.tool_calls) for m in turn[:-1] if isinstance(m, AIMessage)),
        )


@dataclass(frozen=True)
class Proposal:
    """One proposed call in its context: who asks, from where, in which conversation, its place in the turn."""

    call: ToolCall
    user: str
    role: Role
    via: Origin
    thread_id: str
    position: int
    procedure: str | None = None  # the procedure whose step it is


def over_budget(call: ToolCall, position: int, budget: int) -> ToolMessage | None:
    """A blocked reply once the call's ``position`` in the turn reaches ``budget``; None within it."""
    if position >= budget:
        return tool_reply(call, Status.blocked, "tool call budget for this request is used up; answer now")
    return None


def unreadable(call: ToolCall) -> ToolMessage | None:
    """Arguments the provider could not parse as JSON (kept in by :func:`~copilot.agent.messages.with_own_ids`)."""
    if UNPARSED in call["args"]:
        return tool_reply(call, Status.invalid_arguments,
                          f"arguments could not be read ({call['args'][UNPARSED]}); send valid JSON arguments")
    return None


def repeated(call: ToolCall, digest: str, seen: Seen, makes_record: bool = False) -> ToolMessage | None:
    """A blocked reply for a call already made this turn, a record already made in this conversation (a resumed
    run made it while the operator was away), or a call refused before (by ``digest``); None otherwise."""
    if makes_record and (made := seen.made.get(digest)) is not None:
        record = made.result.get("id") if isinstance(made.result, dict) else None
        return tool_reply(call, Status.blocked, f"this identical {call['name']} already ran in this conversation"
                          f"{f' and made {record}' if record else ''}; it is not made again. Tell the operator.",
                          digest=digest, result=made.result)
    if digest in seen.done_this_turn:
        return tool_reply(call, Status.blocked, "identical call already made in this turn; use its result above",
                          digest=digest)
    if digest in seen.refused:
        return tool_reply(call, Status.blocked, "this exact action was already refused or rejected; do not propose "
                          "it again", digest=digest)
    return None


@dataclass
class Gate:
    """The ``gate`` node. A read the policy allows goes down the act ladder in this same step; every other call
    that passes is sent to the act node, where it may wait for its sign-off."""

    rt: Runtime
    bound: BoundModel
    act: Act

    async def __call__(self, state: AgentState, config: RunnableConfig) -> Command:
        with self.rt.audit.batch(together=True):  # this step changes nothing: its records go in together
            return await self._judged(state, config)

    async def _judged(self, state: AgentState, config: RunnableConfig) -> Command:
        thread_id = config["configurable"]["thread_id"]
        last = state["messages"][-1]
        assert isinstance(last, AIMessage)
        seen = Seen.of(state["messages"], turn_of(state, self.bound.choices))
        user, role, via = state["user"], Role(state["role"]), Origin(state.get("via", Origin.chat))
        run = kept_run(state) if last.name == AUTHOR else None
        replies: list[ToolMessage] = []
        sends: list[Send] = []
        for index, call in enumerate(last.tool_calls):
            if call["id"] in seen.answered:
                continue
            if self.bound.planning and call["name"] == PLAN:  # not an action: it only narrows the next calls
                replies.append(tool_reply(call, Status.done, plan_reply(planned_steps([last]) or [])))
                continue
            self.rt.audit.append(kind=AuditKind.proposal, actor=user, thread_id=thread_id, action_id=call["id"],
                                 tool=call["name"], arguments=call["args"])
            judged = await self.judge(Proposal(call, user, role, via, thread_id, seen.calls_before + index,
                                               run.procedure if run else None), seen)
            if not isinstance(judged, Ticket):
                replies.append(judged)
            elif self._allowed_read(judged):
                replies.append(await self.act.settle(judged))
            else:
                sends.append(Send("act", judged))
        return Command(update={"messages": replies}, goto=sends or after_results(state))

    def _allowed_read(self, ticket: Ticket) -> bool:
        """A call that only reads and that the policy allows: nothing to wait for, nothing to keep once."""
        return not self.rt.tools[ticket.tool].changes and isinstance(ticket.decision, Allow)

    async def judge(self, p: Proposal, seen: Seen) -> ToolMessage | Ticket:
        """A proposed call through the pre-checks and the policy: a ticket to act on, or the reply why not."""
        call = p.call
        refused = over_budget(call, p.position, self.rt.settings.max_tool_calls_per_turn) or unreadable(call)
        if refused:
            return refused
        tool = self.rt.tools.get(call["name"])
        if tool is None:
            return self._unknown_tool(p)
        try:
            args = tool.parse(call["args"])
        except ToolArgumentsError as exc:
            return tool_reply(call, Status.invalid_arguments, f"{exc}. Correct the arguments and try again.")
        arguments = args.model_dump(mode="json")
        digest = action_digest(tool.name, arguments)
        if refused := repeated(call, digest, seen, tool.makes_record):
            return refused
        try:
            facts = await asyncio.wait_for(tool.describe(self.rt.deps, args), self.rt.settings.tool_timeout_s)
        except TOOL_ERRORS as exc:
            return tool_reply(call, Status.error, problem(exc), digest=digest)
        facts = from_normal(self.rt, facts)
        decision = evaluate(self.rt.policy, context_of(tool, arguments, p.user, p.role, facts, p.procedure))
        self.rt.audit.append(kind=AuditKind.decision, actor="policy", thread_id=p.thread_id, action_id=call["id"],
                             tool=tool.name, arguments=arguments, decision=decision.model_dump(mode="json"),
                             old_value=facts.old_value, new_value=facts.new_value)
        if isinstance(decision, Deny):
            owner = f" (owner: {decision.owner})" if decision.owner else ""
            return tool_reply(call, Status.denied, "refused by policy: " + "; ".join(decision.reasons) + owner,
                              digest=digest, decision=decision.model_dump(mode="json"), change=facts.change)
        return Ticket(action_id=seen.unconfirmed.get(digest, call["id"]), call_id=call["id"], thread_id=p.thread_id,
                      user=p.user, role=p.role, tool=tool.name, arguments=arguments, digest=digest,
                      decision=decision, facts=facts, via=p.via, procedure=p.procedure)

    def _unknown_tool(self, p: Proposal) -> ToolMessage:
        """Denied, and the denial audited as the policy's (an unknown tool is judged as critical)."""
        call = p.call
        decision = evaluate(self.rt.policy, ActionContext(tool=call["name"], risk=Risk.critical,
                                                          arguments=call["args"], requester=p.user, role=p.role))
        self.rt.audit.append(kind=AuditKind.decision, actor="policy", thread_id=p.thread_id, action_id=call["id"],
                             tool=call["name"], arguments=call["args"], decision=decision.model_dump(mode="json"))
        return tool_reply(call, Status.denied, f"unknown tool {call['name']!r}; tools are: {', '.join(self.rt.tools)}")
