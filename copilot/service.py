"""The copilot as its users meet it: ask, see each step, approve or reject, resume after a restart.

The faces (the CLI, the Streamlit app, the MCP server, the evals) talk to this class only; it delegates the
runs to copilot/runs.py and is built by copilot/wiring.py.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from connectors.plant import Plant
from connectors.settings import ConnectorSettings
from copilot.agent.messages import new_call_id, oversized
from copilot.agent.planning import PLAN
from copilot.agent.runtime import Runtime
from copilot.agent.state import Called, Chosen, kept_run
from copilot.agent.status import Status, ToolArtifact
from copilot.errors import ConversationBusy, RequestRejected
from copilot.form_offers import FormOffer, offer_of
from copilot.form_runs import FormRun, chosen_from
from copilot.identity.users import User
from copilot.llm.absent import NoModel
from copilot.llm.chat_model import ChatModel
from copilot.monitor.alerts import Alert, Alerts, AlertStatus, AlertVerdict, close_alert, judge_alert
from copilot.procedures.chooser import choice_names
from copilot.procedures.forms import Form, forms_of
from copilot.procedures.spec import Procedures
from copilot.procedures.tasks import TASKS
from copilot.runs import Runs, run_config
from copilot.settings import CopilotSettings
from copilot.steps import Step, Transcript, transcript_of
from copilot.store.approvals import (
    ApprovalStatus,
    NotPending,
    Origin,
    PendingAction,
    UnknownAction,
    Verdict,
)
from copilot.store.audit import AuditKind, AuditRecord, VerifyReport
from copilot.store.conversations import Conversation, Conversations
from copilot.store.ledger import RunStatus
from copilot.store.refusals import Refusals
from copilot.store.twin_checks import TwinCheck
from copilot.wiring import opened
from knowledge.errors import KnowledgeError
from policies.model import Deny, Role
from tools.base import Tool, ToolArgumentsError
from twin.settings import TwinSettings

MAX_REQUEST_CHARS = 4000


@dataclass(frozen=True)
class CallOutcome:
    """What became of a caller's own tool call (over MCP): it ran, it waits for sign-off, it was refused or it
    failed; ``text`` is the tool's result marked as data, or the reason."""

    action_id: str
    tool: str
    status: Status
    text: str
    result: Any = None
    change: str | None = None


@dataclass(frozen=True)
class ActionState:
    """Where an action stands: waiting for sign-off, run (with its result), failed, rejected or expired."""

    action_id: str
    tool: str
    status: Status
    queue: ApprovalStatus | None  # its entry in the approval queue, when it needed sign-off
    change: str | None
    requester: str
    approvers: list[str]
    via: Origin
    result: Any = None


_RAN = {RunStatus.done: Status.done, RunStatus.failed: Status.error, RunStatus.unconfirmed: Status.unconfirmed}
_QUEUED = {ApprovalStatus.pending: Status.waiting, ApprovalStatus.approved: Status.waiting,
           ApprovalStatus.rejected: Status.rejected, ApprovalStatus.expired: Status.not_approved}


class Copilot:
    """The copilot's public face: operators ask, supervisors decide, engineers read the record."""

    def __init__(self, rt: Runtime, graph: Any, conversations: Conversations, alerts: Alerts) -> None:
        self.rt = rt
        self.graph = graph
        self.conversations = conversations
        self.alerts_store = alerts
        self.choices = frozenset([PLAN, TASKS, *(choice_names(rt.procedures) if rt.procedures else [])])
        self.runs = Runs(graph, rt.queue, conversations, self.choices, rt.audit)
        self.refusals = Refusals(rt.audit)

    @classmethod
    @asynccontextmanager
    async def open(cls, model: ChatModel, *, settings: CopilotSettings, connectors: ConnectorSettings,
                   twin: TwinSettings, manuals: Any = None) -> AsyncIterator[Copilot]:
        """A copilot on the plant the settings describe, open until the context ends (copilot/wiring.py)."""
        async with opened(model, settings=settings, connectors=connectors, twin=twin, manuals=manuals) as parts:
            copilot = cls(*parts)
            try:
                yield copilot
            finally:
                copilot.refusals.flush()

    # -- operators -----------------------------------------------------------------------------------

    async def ask(self, user: User, text: str, thread_id: str | None = None) -> AsyncIterator[Step]:
        """Run one request to its answer or to the actions that wait for approval, step by step."""
        text = text.encode("utf-8", "replace").decode("utf-8").strip()  # a lone surrogate or stray byte becomes ?
        if not text:
            raise RequestRejected("the request is empty; write what you need")
        if len(text) > MAX_REQUEST_CHARS:
            raise RequestRejected(f"the request has {len(text)} characters; at most {MAX_REQUEST_CHARS} are taken")
        thread_id = thread_id or uuid.uuid4().hex
        self.conversations.check_owner(thread_id, user.username)
        waiting = [a for a in self.rt.queue.for_thread(thread_id) if a.status is ApprovalStatus.pending
                   or (a.status is ApprovalStatus.approved and self.rt.ledger.lookup(a.action_id) is None)]
        if waiting:  # pending, or approved and its run not done yet (cut off): a new request would ask again
            raise ConversationBusy(
                f"this conversation waits for approval of {', '.join(a.change for a in waiting)}; "
                "start a new conversation or wait for the decision"
            )
        async for step in self.runs.run(self._request(user, thread_id, text, Origin.chat), thread_id):
            yield step

    async def call_tool(self, user: User, tool: str, arguments: dict[str, Any], *, via: Origin = Origin.mcp,
                        key: str | None = None) -> CallOutcome:
        """One tool call made by the caller, not by a model: through the same gate, queue, ledger and audit as
        a model's; a change that needs sign-off returns at once, waiting, with its action id. The same ``key``
        again (a client's retry) is the same call: its outcome, never a second action."""
        if tool not in self.rt.tools:
            raise RequestRejected(f"no tool {tool!r}; the tools are {', '.join(self.rt.tools)}")
        try:  # the tool's argument model is the first gate: nothing is kept or computed from what it refuses
            self.rt.tools[tool].parse(arguments)
        except ToolArgumentsError as exc:
            raise RequestRejected(str(exc)) from None
        if oversized(arguments):  # in a field the tool does not take: it would still be kept
            raise RequestRejected(f"the arguments of {tool} hold a number far too large; send only the tool's fields")
        if key is None:
            thread_id, call_id = uuid.uuid4().hex, f"call_{uuid.uuid4().hex[:16]}"
        else:
            keyed = hashlib.sha256(f"{user.username}\n{key}".encode()).hexdigest()
            thread_id, call_id = f"key-{keyed[:32]}", f"call_{keyed[32:48]}"
        self.conversations.check_owner(thread_id, user.username)
        called = Called(tool=tool, args=arguments, id=call_id)
        if before := await self.runs.messages(thread_id):
            first = next((m for m in before if isinstance(m, AIMessage) and m.tool_calls), None)
            made = {k: first.tool_calls[0][k] for k in ("name", "args")} if first is not None else None
            if made != {"name": tool, "args": arguments}:
                raise RequestRejected(f"the key {key!r} was used for another call; use a new key for a new call")
            if (earlier := self._outcome(call_id, tool, before)).status is not Status.unconfirmed:
                return earlier
            # sent and not confirmed: the retry goes again, as the same action under the same key (the gate finds
            # it), and the system that took the key returns what it made the first time
            called = Called(tool=tool, args=arguments, id=new_call_id())
        text = f"{tool} {json.dumps(arguments, ensure_ascii=False, sort_keys=True)}"
        [_ async for _ in self.runs.run(self._request(user, thread_id, text, via, called=called), thread_id)]
        return self._outcome(call_id, tool, await self.runs.messages(thread_id))

    def _outcome(self, action_id: str, tool: str, messages: list[BaseMessage]) -> CallOutcome:
        """The outcome of a keyed call's conversation: its latest reply, else its wait for sign-off."""
        reply = next((m for m in reversed(messages) if isinstance(m, ToolMessage)), None)
        if reply is not None:
            art = ToolArtifact.of(reply)
            return CallOutcome(art.action_id or action_id, tool, art.status, str(reply.content), art.result,
                               art.change)
        try:
            action = self.rt.queue.get(action_id)
        except UnknownAction:
            raise ConversationBusy("this call is still running; ask again in a moment") from None
        return CallOutcome(action.action_id, tool, Status.waiting, f"waiting for approval: {action.change} "
                           f"({action.decision.summary()}); action_status tells when it has run", change=action.change)

    def action_status(self, action_id: str, user: User) -> ActionState:
        """Where an action stands, for the one who asked for it, a supervisor or admin, and anyone in a role the
        policy lets sign this action off (an engineer who approved it sees what their approval ran)."""
        proposed = self.rt.audit.records(kind=AuditKind.proposal, action_id=action_id, limit=1)
        if not proposed:
            raise RequestRejected(f"no action {action_id!r} was proposed")
        requester, tool = proposed[0].actor, proposed[0].tool or ""
        try:
            action: PendingAction | None = self.rt.queue.get(action_id)
        except UnknownAction:
            action = None
        signers = {Role.supervisor, Role.admin, *(action.decision.roles if action else ())}
        if user.username != requester and user.role not in signers:  # a role that may sign it off, as the policy said
            raise RequestRejected(f"action {action_id} is not yours; only its requester or those who may sign it "
                                  "off see it")
        ran = self.rt.ledger.standing(action_id)
        if ran is not None:
            status = _RAN[ran.status]
        elif action is not None:
            status = _QUEUED[action.status]
        else:  # judged and not run: denied by the policy (first, or again just before it ran), or it failed
            judged = self.rt.audit.records(kind=AuditKind.decision, action_id=action_id, limit=1) + \
                self.rt.audit.records(kind=AuditKind.recheck, action_id=action_id, limit=1)
            denied = any(isinstance(r.judged, Deny) for r in judged)
            status = Status.denied if denied else Status.error
        return ActionState(action_id, tool, status, action.status if action else None,
                           action.change if action else None, requester, action.approvers if action else [],
                           action.via if action else self._origin_of(proposed[0].thread_id),
                           ran.result if ran else None)

    def _origin_of(self, thread_id: str | None) -> Origin:
        """Where a conversation's request came from, as its audit record says."""
        request = self.rt.audit.records(kind=AuditKind.request, thread_id=thread_id, limit=1)
        return Origin(request[0].arguments.get("via", Origin.chat)) if request else Origin.chat

    async def run_procedure(self, user: User, procedure: str, slots: dict[str, Any], why: str,
                            thread_id: str, via: Origin = Origin.monitor) -> list[Step]:
        """Carry out a procedure the caller chose (the monitor, on what it found), ``why`` standing for the
        request: no model chooses, and its changes go through the same gate, queue, ledger and audit."""
        if self.rt.procedures is None or self.rt.procedures.get(procedure) is None:
            raise RequestRejected(f"no procedure {procedure!r} is in use")
        self.conversations.check_owner(thread_id, user.username)
        chosen = Chosen(procedure=procedure, slots=slots)
        return [s async for s in self.runs.run(self._request(user, thread_id, why, via, chosen=chosen), thread_id)]

    def forms(self) -> list[Form]:
        """Every procedure in use as a form on the loaded plant (none when procedures are off)."""
        return forms_of(self.rt.procedures, self.plant) if self.rt.procedures else []

    async def run_form(self, user: User, procedure: str, values: dict[str, Any]) -> FormRun:
        """Run a procedure from its form, in a new conversation of the user's: the values checked first
        (FormRejected: one line per bad field, nothing run), then the same run, gate, sign-off, ledger and audit
        as the chat's, on the values as given; its waits show in the chat and the queue and resume when decided."""
        chosen, text = chosen_from(self.forms(), procedure, values)
        thread_id = uuid.uuid4().hex
        request = self._request(user, thread_id, text, Origin.form, chosen=chosen)
        return FormRun(thread_id, [s async for s in self.runs.run(request, thread_id)])

    async def form_offer(self, thread_id: str, gave_up: bool = False) -> FormOffer | None:
        """The form the conversation's last turn offers (copilot/form_offers.py), pre-filled with what was
        understood; ``gave_up``: the chat stopped waiting for the turn's answer."""
        state = await self.graph.aget_state(run_config(thread_id))
        values = state.values or {}
        return offer_of(list(values.get("messages", [])), kept_run(values), self.plant, self.forms(),
                        gave_up=gave_up)

    @property
    def model_off(self) -> bool:
        """Whether the copilot runs without a model (``COPILOT_PROVIDER=none``): the procedures run from forms."""
        return isinstance(self.rt.model, NoModel)

    def _request(self, user: User, thread_id: str, text: str, via: Origin, *, chosen: Chosen | None = None,
                 called: Called | None = None) -> dict[str, Any]:
        """A request taken into its conversation: listed under its user, in the audit log (with where it came
        from and a procedure the caller chose), as the graph's input; ``called``: the caller's own tool call."""
        self.conversations.touch(thread_id, owner=user.username, title=text)
        self.rt.audit.append(kind=AuditKind.request, actor=user.username, thread_id=thread_id,
                             arguments={"text": text, "via": str(via), **(chosen.model_dump() if chosen else {})})
        return {"messages": [HumanMessage(content=text)], "user": user.username, "role": user.role,
                "via": via, "chosen": chosen, "called": called, "tasks": None}

    def conversations_of(self, user: User, limit: int = 50) -> list[Conversation]:
        """The user's conversations, the latest first."""
        return self.conversations.of(user.username, limit=limit)

    async def transcript(self, thread_id: str) -> Transcript:
        """The conversation as its people see it: what they wrote and the copilot's steps."""
        return transcript_of(await self.runs.messages(thread_id), self.choices)

    # -- what it knows and may do --------------------------------------------------------------------

    @property
    def plant(self) -> Plant:
        return self.rt.deps.plant

    @property
    def manuals(self) -> Any:
        """The manuals store (knowledge.store.ManualStore), or None when none is loaded."""
        return self.rt.deps.manuals

    @property
    def procedures(self) -> Procedures | None:
        """The procedures in use, or None when the free loop alone serves requests."""
        return self.rt.procedures

    @property
    def tools(self) -> dict[str, Tool]:
        return self.rt.tools

    @property
    def release(self) -> str | None:
        """The id of the promoted release this copilot runs as (in every audit record it writes); None: it runs
        unreleased (copilot/governance/running.py)."""
        return self.rt.release

    async def history(self, machine_id: str, tag: str, minutes: float) -> list[tuple[float, float]]:
        """The historian's samples of one tag over the last ``minutes`` (seconds on the plant's clock, value)."""
        return await self.rt.deps.history.samples(machine_id, tag, minutes)

    async def measure_twin(self) -> list[TwinCheck]:
        """Set the changes whose prediction has played out against what the PLC then read (the monitor does
        this every check); the errors are the twin's health."""
        return await self.rt.twin_checks.measure(self.rt.deps.history)

    def passage(self, chunk_id: str) -> Any | None:
        """The manual passage a citation names (knowledge.store.Passage), or None when there is none."""
        if self.rt.deps.manuals is None:
            return None
        try:
            return self.rt.deps.manuals.passage(chunk_id)
        except KnowledgeError:
            return None

    # -- the record ----------------------------------------------------------------------------------

    def audit_records(self, **filters: Any) -> list[AuditRecord]:
        """The audit log, newest first (filters: actor, tool, kind, thread_id, action_id, text, limit)."""
        return self.rt.audit.records(**filters)

    def verify_audit(self) -> VerifyReport:
        """Whether the audit log's hash chain is whole: nothing edited, removed or reordered."""
        return self.rt.audit.verify()

    def alerts(self, status: AlertStatus | None = AlertStatus.open, limit: int = 100) -> list[Alert]:
        """The monitor's alerts (open ones by default; None: all), newest first."""
        return self.alerts_store.listed(status, limit=limit)

    def close_alert(self, alert_id: str, by: User, note: str, verdict: AlertVerdict) -> Alert:
        """A person closes an alert with a note and a verdict (real problem or false alarm), audited."""
        return close_alert(self.alerts_store, self.rt.audit, alert_id, by.username, note, verdict)

    def judge_alert(self, alert_id: str, by: User, verdict: AlertVerdict) -> Alert:
        """A supervisor, engineer or admin judges an alert real or false (open or ended), audited; the monitor's
        precision is made of these. PermissionError for anyone else."""
        return judge_alert(self.alerts_store, self.rt.audit, alert_id, by, verdict)

    def record_refusal(self, actor: str, why: str, *, via: Origin, address: str = "", **arguments: Any) -> None:
        """A caller turned away before anything was proposed (not signed in, not allowed): in the audit log,
        a flood of the same refusal counted into one record (copilot/store/refusals.py)."""
        self.refusals.record(actor, why, via=str(via), address=address, **arguments)

    # -- supervisors ---------------------------------------------------------------------------------

    def pending(self) -> list[PendingAction]:
        return self.rt.queue.pending()

    def decided(self, limit: int = 50) -> list[PendingAction]:
        """The latest decided actions (approved, rejected, expired), newest first."""
        return self.rt.queue.decided(limit=limit)

    def actions_of(self, thread_id: str) -> list[PendingAction]:
        """The actions of one conversation that needed sign-off, in order."""
        return self.rt.queue.for_thread(thread_id)

    async def approve(self, action_id: str, approver: User, comment: str = "") -> tuple[PendingAction, list[Step]]:
        """Record an approval; once the policy's count is reached, the conversation resumes and runs it."""
        action = await self._vote(self.rt.queue.approve, action_id, approver, comment)
        vote = next(v for v in action.votes if v.approver == approver.username)
        self.rt.audit.append(kind=AuditKind.approval, actor=approver.username, thread_id=action.thread_id,
                             action_id=action_id, tool=action.tool, arguments=action.arguments,
                             approvers=action.approvers, result={"comment": comment, "status": action.status,
                                                                 "role": str(vote.role), "digest": vote.digest,
                                                                 "owner": action.decision.owner})
        return action, await self.runs.resume_if_decided(action)

    async def reject(self, action_id: str, approver: User, comment: str = "") -> tuple[PendingAction, list[Step]]:
        action = await self._vote(self.rt.queue.reject, action_id, approver, comment)
        self.rt.audit.append(kind=AuditKind.rejection, actor=approver.username, thread_id=action.thread_id,
                             action_id=action_id, tool=action.tool, arguments=action.arguments,
                             result={"comment": comment})
        return action, await self.runs.resume_if_decided(action)

    async def decide(self, verdict: Verdict, action_id: str, approver: User,
                     comment: str = "") -> tuple[PendingAction, list[Step]]:
        """Approve or reject, as ``verdict`` says."""
        vote = self.approve if verdict is Verdict.approve else self.reject
        return await vote(action_id, approver, comment)

    async def resume_decided(self) -> list[Step]:
        """After a crash or a restart: resume the conversations whose actions were decided while no process
        resumed them, and those whose run a dead process cut off (an allowed action mid-run, or one queued
        before its wait was saved); the ledger runs each action once."""
        return await self.runs.resume_decided()

    # -- internals -----------------------------------------------------------------------------------

    async def _vote(self, vote, action_id: str, approver: User, comment: str) -> PendingAction:
        """A vote; one that comes too late still ends the wait of the conversation (it is told: expired)."""
        try:
            return vote(action_id, approver.username, approver.role, comment)
        except NotPending:
            await self.runs.resume_if_decided(self.rt.queue.get(action_id))
            raise
