"""The copilot as its users meet it: ask, see each step, approve or reject, resume after a restart.

The CLI and the Streamlit app both talk to this class; it holds the graph, the
checkpointer, the approval queue, the ledger and the audit log, and the open
connections to the plant's systems.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.types import Command

from connectors.erp import ErpClient
from connectors.mes import MesClient
from connectors.plant import Plant
from connectors.plant_plc import open_plc
from connectors.settings import ConnectorSettings
from knowledge.errors import KnowledgeError
from copilot.approvals import ApprovalQueue, ApprovalStatus, NotPending, Origin, PendingAction, UnknownAction
from copilot.audit import AuditKind, AuditLog, AuditRecord, VerifyReport
from copilot.conversations import Conversations
from copilot.db import Location, PostgresDatabase, is_postgres
from copilot.graph import RESTATING, Runtime, agent_prompt, build_graph
from copilot.llm.constrained import CALLING
from copilot.ledger import ExecutionLedger, RunStatus
from copilot.monitor.alerts import Alert, Alerts, AlertStatus, AlertVerdict, close_alert
from copilot.llm.warmup import warm_up
from copilot.planning import PLAN
from copilot.procedures.chooser import choice_names
from copilot.procedures.language import identifier as language_identifier
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.status import Status, ToolArtifact
from copilot.twin_checks import TwinCheck, TwinChecks
from copilot.users import User
from policies.model import Role
from policies.rules import Policy
from tools.base import Tool
from twin.file import load_twin
from twin.settings import TwinSettings
from tools.deps import Deps
from tools.registry import TOOLS


MAX_REQUEST_CHARS = 4000


class RequestRejected(ValueError):
    """A request the copilot does not take (empty, or too long); the message says why."""


class ConversationBusy(RuntimeError):
    """The conversation waits for a decision on an action; it cannot take a new request until then."""


@dataclass(frozen=True)
class Step:
    """One thing the copilot did, as the operator sees it."""

    kind: Literal["restating", "calling", "token", "choice", "proposal", "result", "waiting", "answer"]
    """``restating``: words of the request restated in English (it was in another language) as the model writes
    them; ``calling``: the model is writing a call of ``tool`` (a procedure or a read), whose ``choice`` or
    ``proposal`` step follows once its arguments are written; ``token``: words of the answer as they come."""
    text: str = ""
    tool: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    status: Status | None = None
    decision: dict[str, Any] | None = None
    change: str | None = None
    action_id: str | None = None
    result: Any = None


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


def steps_of(message: BaseMessage, choices: frozenset[str] = frozenset()) -> list[Step]:
    """What a graph message means to the operator. A call in ``choices`` (the plan, a procedure) is how the
    copilot chose to go about the request, not an action."""
    if isinstance(message, AIMessage):
        steps = [Step(kind="choice" if c["name"] in choices else "proposal", tool=c["name"], arguments=c["args"],
                      action_id=c["id"]) for c in message.tool_calls]
        if message.content and not message.tool_calls:
            steps.append(Step(kind="answer", text=str(message.content)))
        return steps
    if isinstance(message, ToolMessage) and message.name not in choices:
        art = ToolArtifact.of(message)
        return [
            Step(kind="result", tool=message.name, status=art.status, decision=art.decision, change=art.change,
                 action_id=message.tool_call_id, result=art.result, text=str(message.content))
        ]
    return []


class Copilot:
    def __init__(self, rt: Runtime, graph, conversations: Conversations, alerts: Alerts) -> None:
        self.rt = rt
        self.graph = graph
        self.conversations = conversations
        self.alerts_store = alerts
        self._running: set[str] = set()  # the conversations a run of this process (a coroutine) holds now
        self.choices = frozenset([PLAN, *(choice_names(rt.procedures) if rt.procedures else [])])

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        model: BaseChatModel,
        *,
        settings: CopilotSettings,
        connectors: ConnectorSettings,
        twin: TwinSettings,
        manuals: Any = None,
    ) -> AsyncIterator[Copilot]:
        """``twin.file``: the fitted twin the dry runs use (twin/); without one, a change's dry run says no twin
        is fitted."""
        plant = connectors.load_plant()
        fitted = load_twin(twin.file, plant) if twin.file.exists() else None
        async with AsyncExitStack() as stack:
            plc = await stack.enter_async_context(open_plc(connectors, plant, settings.plc_protocol))
            erp = await stack.enter_async_context(ErpClient.from_settings(connectors))
            mes = await stack.enter_async_context(MesClient.from_settings(connectors))
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            saver = await stack.enter_async_context(_checkpointer(settings.checkpoints_db))
            queue = ApprovalQueue(settings.state_db, ttl_hours=settings.approval_ttl_hours,
                                  run_within_minutes=settings.approval_run_within_minutes)
            stack.callback(queue.close)
            ledger = ExecutionLedger(settings.state_db, lease_s=3 * settings.tool_timeout_s)
            stack.callback(ledger.close)
            conversations = Conversations(settings.state_db)
            stack.callback(conversations.close)
            twin_checks = TwinChecks(settings.state_db)
            stack.callback(twin_checks.close)
            alerts = Alerts(settings.state_db)
            stack.callback(alerts.close)
            audit = AuditLog.of(settings)
            stack.callback(audit.close)
            procedures = Procedures.load(settings.procedures_file, TOOLS) if settings.procedures else None
            rt = Runtime(
                deps=Deps(plant=plant, plc=plc, erp=erp, mes=mes, manuals=manuals, twin=fitted),
                model=model,
                tools=TOOLS,
                policy=Policy.load(settings.policy_file, tools=TOOLS),
                queue=queue,
                ledger=ledger,
                audit=audit,
                settings=settings,
                twin_checks=twin_checks,
                procedures=procedures,
            )
            # the local model processes the stable prompt prefix once, here, rather than on the first question
            prompt = agent_prompt(rt)
            await asyncio.to_thread(warm_up, model, prompt.system, prompt.tools, prompt.shots)
            if procedures:
                await asyncio.to_thread(language_identifier)
            yield cls(rt, build_graph(rt).compile(checkpointer=saver), conversations, alerts)

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
        waiting = [a for a in self.rt.queue.for_thread(thread_id) if a.status == ApprovalStatus.pending
                   or (a.status == ApprovalStatus.approved and self.rt.ledger.lookup(a.action_id) is None)]
        if waiting:  # pending, or approved and its run not done yet (cut off): a new request would ask again
            raise ConversationBusy(
                f"this conversation waits for approval of {', '.join(a.change for a in waiting)}; "
                "start a new conversation or wait for the decision"
            )
        async for step in self._run(self._request(user, thread_id, text, Origin.chat), thread_id):
            yield step

    async def call_tool(self, user: User, tool: str, arguments: dict[str, Any], *, via: Origin = Origin.mcp,
                        key: str | None = None) -> CallOutcome:
        """One tool call made by the caller, not by a model: through the same gate, queue, ledger and audit as
        a model's; a change that needs sign-off returns at once, waiting, with its action id. The same ``key``
        again (a client's retry) is the same call: its outcome, never a second action."""
        if tool not in self.rt.tools:
            raise RequestRejected(f"no tool {tool!r}; the tools are {', '.join(self.rt.tools)}")
        if key is None:
            thread_id, call_id = uuid.uuid4().hex, f"call_{uuid.uuid4().hex[:16]}"
        else:
            keyed = hashlib.sha256(f"{user.username}\n{key}".encode()).hexdigest()
            thread_id, call_id = f"key-{keyed[:32]}", f"call_{keyed[32:48]}"
        self.conversations.check_owner(thread_id, user.username)
        called = {"tool": tool, "args": arguments, "id": call_id}
        if before := await self.messages(thread_id):
            first = next((m for m in before if isinstance(m, AIMessage) and m.tool_calls), None)
            if first is None or {k: first.tool_calls[0][k] for k in ("name", "args")} != {"name": tool, "args": arguments}:
                raise RequestRejected(f"the key {key!r} was used for another call; use a new key for a new call")
            return self._outcome(call_id, tool, before)
        text = f"{tool} {json.dumps(arguments, ensure_ascii=False, sort_keys=True)}"
        [_ async for _ in self._run(self._request(user, thread_id, text, via, called=called), thread_id)]
        return self._outcome(call_id, tool, await self.messages(thread_id))

    def _outcome(self, call_id: str, tool: str, messages: list[BaseMessage]) -> CallOutcome:
        reply = next((m for m in messages if isinstance(m, ToolMessage) and m.tool_call_id == call_id), None)
        if reply is not None:
            art = ToolArtifact.of(reply)
            return CallOutcome(art.action_id or call_id, tool, art.status, str(reply.content), art.result, art.change)
        try:
            action = self.rt.queue.get(call_id)
        except UnknownAction:
            raise ConversationBusy("this call is still running; ask again in a moment") from None
        return CallOutcome(action.action_id, tool, Status.waiting, f"waiting for approval: {action.change} "
                           f"({action.decision.summary()}); action_status tells when it has run", change=action.change)

    def action_status(self, action_id: str, user: User) -> ActionState:
        """Where an action stands, for the one who asked for it or anyone who may sign actions off."""
        proposed = self.rt.audit.records(kind=AuditKind.proposal, action_id=action_id, limit=1)
        if not proposed:
            raise RequestRejected(f"no action {action_id!r} was proposed")
        requester, tool = proposed[0].actor, proposed[0].tool or ""
        if user.username != requester and user.role not in (Role.supervisor, Role.admin):
            raise RequestRejected(f"action {action_id} is not yours; only its requester or a supervisor sees it")
        try:
            action: PendingAction | None = self.rt.queue.get(action_id)
        except UnknownAction:
            action = None
        ran = self.rt.ledger.lookup(action_id)
        if ran is not None:
            status = _RAN[ran.status]
        elif action is not None:
            status = _QUEUED[action.status]
        else:  # judged and not run: denied by the policy (first, or again just before it ran), or it failed
            judged = self.rt.audit.records(kind=AuditKind.decision, action_id=action_id, limit=1) + \
                self.rt.audit.records(kind=AuditKind.recheck, action_id=action_id, limit=1)
            denied = any((r.decision or {}).get("kind") == "deny" for r in judged)
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
        chosen = {"procedure": procedure, "slots": slots}
        return [s async for s in self._run(self._request(user, thread_id, why, via, chosen=chosen), thread_id)]

    def _request(self, user: User, thread_id: str, text: str, via: Origin, *, chosen: dict[str, Any] | None = None,
                 called: dict[str, Any] | None = None) -> dict[str, Any]:
        """A request taken into its conversation: listed under its user, in the audit log (with where it came
        from and a procedure the caller chose), as the graph's input; ``called``: the caller's own tool call."""
        self.conversations.touch(thread_id, owner=user.username, title=text)
        self.rt.audit.append(kind=AuditKind.request, actor=user.username, thread_id=thread_id,
                             arguments={"text": text, "via": str(via), **(chosen or {})})
        return {"messages": [HumanMessage(content=text)], "user": user.username, "role": str(user.role),
                "via": str(via), "chosen": chosen, "called": called}

    def steps_of(self, message: BaseMessage) -> list[Step]:
        """What a message of a conversation meant to the operator (for drawing a conversation again)."""
        return steps_of(message, self.choices)

    async def messages(self, thread_id: str) -> list[BaseMessage]:
        state = await self.graph.aget_state(_config(thread_id))
        return list(state.values.get("messages", [])) if state.values else []

    # -- what it knows and may do --------------------------------------------------------------------

    @property
    def plant(self) -> Plant:
        return self.rt.deps.plant

    @property
    def manuals(self) -> Any:
        """The manuals store (knowledge.store.ManualStore), or None when none is loaded."""
        return self.rt.deps.manuals

    @property
    def tools(self) -> dict[str, Tool]:
        return self.rt.tools

    async def history(self, machine_id: str, tag: str, minutes: float) -> list[tuple[float, float]]:
        """The historian's samples of one tag over the last ``minutes`` (seconds on the plant's clock, value)."""
        return await self.rt.deps.mes.history(machine_id, tag, minutes)

    async def measure_twin(self) -> list[TwinCheck]:
        """Set the changes whose prediction has played out against what the PLC then read (the monitor does
        this every check); the errors are the twin's health."""
        return await self.rt.twin_checks.measure(self.rt.deps.mes)

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

    def record_refusal(self, actor: str, why: str, **arguments: Any) -> None:
        """A caller turned away before anything was proposed (not signed in, not allowed): in the audit log."""
        self.rt.audit.append(kind=AuditKind.refusal, actor=actor, arguments=arguments, result={"reason": why})

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
        self.rt.audit.append(kind=AuditKind.approval, actor=approver.username, thread_id=action.thread_id, action_id=action_id,
                             tool=action.tool, arguments=action.arguments, approvers=action.approvers,
                             result={"comment": comment, "status": action.status})
        return action, await self._resume_if_decided(action)

    async def reject(self, action_id: str, approver: User, comment: str = "") -> tuple[PendingAction, list[Step]]:
        action = await self._vote(self.rt.queue.reject, action_id, approver, comment)
        self.rt.audit.append(kind=AuditKind.rejection, actor=approver.username, thread_id=action.thread_id,
                             action_id=action_id, tool=action.tool, arguments=action.arguments,
                             result={"comment": comment})
        return action, await self._resume_if_decided(action)

    async def resume_decided(self) -> list[Step]:
        """After a crash or a restart: resume the conversations whose actions were decided while no process
        resumed them, and those whose run a dead process cut off (an allowed action mid-run, or one queued
        before its wait was saved); the ledger runs each action once."""
        steps: list[Step] = []
        for action in self.rt.queue.decided(limit=200):
            steps += await self._resume_if_decided(action)
        for thread_id in self.conversations.cut_off():
            if not self._claim(thread_id):
                continue
            state = await self._state_while_claimed(thread_id)
            if state.next and not state.interrupts:
                steps += [s async for s in self._run(None, thread_id, claimed=True)]
            else:
                self._release(thread_id)
        return steps

    # -- internals -----------------------------------------------------------------------------------

    async def _vote(self, vote, action_id: str, approver: User, comment: str) -> PendingAction:
        """A vote; one that comes too late still ends the wait of the conversation (it is told: expired)."""
        try:
            return vote(action_id, approver.username, approver.role, comment)
        except NotPending:
            await self._resume_if_decided(self.rt.queue.get(action_id))
            raise

    async def _resume_if_decided(self, action: PendingAction) -> list[Step]:
        if action.status == ApprovalStatus.pending or not self._claim(action.thread_id):
            return []  # undecided, or another run (here or in another process) has the conversation: it resumes it
        state = await self._state_while_claimed(action.thread_id)
        ids = [i.id for i in state.interrupts if (i.value or {}).get("action_id") == action.action_id]
        if ids:
            command = Command(resume={ids[0]: action.status})
        elif state.next and not state.interrupts:
            command = None  # the run was cut off (after the decision, or before its wait was saved): go on
        else:
            self._release(action.thread_id)
            return []
        return [s async for s in self._run(command, action.thread_id, resumed=action.action_id, claimed=True)]

    def _claim(self, thread_id: str) -> bool:
        """Take the conversation for one run: not while another run of this process (a coroutine) has it, nor
        another live process (the store's claim, which is this process's own for all its coroutines)."""
        if thread_id in self._running or not self.conversations.claim_run(thread_id):
            return False
        self._running.add(thread_id)
        return True

    def _release(self, thread_id: str) -> None:
        self.conversations.end_run(thread_id)
        self._running.discard(thread_id)

    async def _state_while_claimed(self, thread_id: str) -> Any:
        """The conversation's state, read under this process's claim (let go should the read fail)."""
        try:
            return await self.graph.aget_state(_config(thread_id))
        except BaseException:
            self._running.discard(thread_id)
            raise

    async def _decided_meanwhile(self, thread_id: str) -> list[PendingAction]:
        """The actions the conversation waits on that were decided while its run was ending: their approver
        found the run holding the conversation and left the resume to it."""
        state = await self.graph.aget_state(_config(thread_id))
        ids = {(i.value or {}).get("action_id") for i in state.interrupts} - {None}
        return [a for a in map(self.rt.queue.get, sorted(ids)) if a.status != ApprovalStatus.pending]

    async def _run(self, inputs: Any, thread_id: str, resumed: str | None = None,
                   claimed: bool = False) -> AsyncIterator[Step]:
        """Stream a run's steps (the answer's words as "token" steps while the model writes them). A resumed run replays the results of sibling actions that finished in
        earlier resumes; only the resumed action's own result is new, so the replays are left out. A conversation
        another run has now is left to it (``claimed``: the caller took it for this run). A decision that came
        while the run was ending is resumed here, after it."""
        if not claimed and not self._claim(thread_id):
            if inputs is not None and not isinstance(inputs, Command):
                raise ConversationBusy("this conversation is running in another window or process; wait for it")
            return
        try:
            async for step in self._stream(inputs, thread_id, resumed):
                yield step
            self.conversations.touch(thread_id)
            self.conversations.end_run(thread_id)
        finally:  # cut off by an error: the store's claim stays, for a restart to see the run was cut off
            self._running.discard(thread_id)
        for action in await self._decided_meanwhile(thread_id):
            for step in await self._resume_if_decided(action):
                yield step

    async def _stream(self, inputs: Any, thread_id: str, resumed: str | None) -> AsyncIterator[Step]:
        # each step's checkpoint is saved before the next step starts: an action enters the queue, or runs, only
        # once the conversation that resumes it is saved (LangGraph's default saves in the background, which a
        # killed process loses)
        async for mode, chunk in self.graph.astream(inputs, _config(thread_id), stream_mode=["messages", "updates"],
                                                    durability="sync"):
            if mode == "messages":
                piece, meta = chunk
                if not isinstance(piece, AIMessageChunk) or meta.get("langgraph_node") != "model":
                    continue
                if piece.content:
                    yield Step(kind="restating" if RESTATING in meta.get("tags", ()) else "token", text=str(piece.content))
                elif name := piece.response_metadata.get(CALLING):
                    yield Step(kind="calling", tool=name)
                continue
            for node, update in chunk.items():
                if resumed and node == "act" and all(
                    getattr(m, "tool_call_id", None) != resumed for m in (update or {}).get("messages", [])
                ):
                    continue
                if node == "__interrupt__":
                    for pending in update:
                        value = pending.value or {}
                        yield Step(kind="waiting", tool=value.get("tool"), change=value.get("change"),
                                   decision=value.get("decision"), action_id=value.get("action_id"), status=Status.waiting,
                                   text="waiting for approval: " + (value.get("change") or "")
                                   + (f"\n{value['prediction']}" if value.get("prediction") else ""))
                    continue
                for message in (update or {}).get("messages", []):
                    for step in steps_of(message, self.choices):
                        yield step


@asynccontextmanager
async def _checkpointer(location: Location) -> AsyncIterator[BaseCheckpointSaver]:
    """LangGraph's own checkpointer for where the state is: its Postgres one (its ``setup()`` makes and migrates
    its tables, one process at a time), or its SQLite one on the data folder's file."""
    if not is_postgres(location):
        async with AsyncSqliteSaver.from_conn_string(str(location)) as saver:
            yield saver
        return
    async with AsyncPostgresSaver.from_conn_string(str(location)) as saver:
        db = PostgresDatabase(str(location), max_size=1)
        try:
            with db.session_lock("checkpoints-setup"):
                await saver.setup()
        finally:
            db.close()
        yield saver


def _config(thread_id: str) -> dict:
    return {"configurable": {"thread_id": thread_id}, "recursion_limit": 100}
