"""Runs of the graph over conversations: one run per conversation at a time, across coroutines and processes,
streamed as steps; decided actions resumed, and runs a dead process cut off taken over."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from copilot.agent.prompt import RESTATING, TELLING_APART
from copilot.errors import ConversationBusy
from copilot.llm.constrained import CALLING
from copilot.steps import Answer, Calling, Restating, Step, Token, steps_of, waiting_of
from copilot.store.approvals import ApprovalQueue, ApprovalStatus, PendingAction
from copilot.store.audit import AuditLog
from copilot.store.conversations import Conversations

_LOG = logging.getLogger(__name__)


def run_config(thread_id: str) -> dict:
    """The graph's configuration for one conversation."""
    return {"configurable": {"thread_id": thread_id}, "recursion_limit": 100}


class Runs:
    """Starts, resumes and streams runs; a conversation another run holds is left to it."""

    def __init__(self, graph: CompiledStateGraph, queue: ApprovalQueue, conversations: Conversations,
                 choices: frozenset[str], audit: AuditLog) -> None:
        self.graph = graph
        self.audit = audit
        self.queue = queue
        self.conversations = conversations
        self.choices = choices
        self._running: set[str] = set()  # the conversations a run of this process (a coroutine) holds now

    async def messages(self, thread_id: str) -> list[BaseMessage]:
        state = await self.graph.aget_state(run_config(thread_id))
        return list(state.values.get("messages", [])) if state.values else []

    async def resume_decided(self) -> list[Step]:
        """Resume the conversations whose actions were decided while no process resumed them, and those whose
        run a dead process cut off (an allowed action mid-run, or one queued before its wait was saved). One that
        cannot resume is skipped, said in one line (a step and the log): a start never fails on one bad run."""
        steps: list[Step] = []
        for action in self.queue.decided(limit=200):
            steps += await self._skipping_failure(self.resume_if_decided(action), action.thread_id)
        for thread_id in self.conversations.cut_off():
            steps += await self._skipping_failure(self._go_on(thread_id), thread_id)
        return steps

    async def _go_on(self, thread_id: str) -> list[Step]:
        """Run on a conversation a dead process cut off mid-run (left to the run that holds it now)."""
        if not self._claim(thread_id):
            return []
        state = await self._state_while_claimed(thread_id)
        if state.next and not state.interrupts:
            return [s async for s in self.run(None, thread_id, claimed=True)]
        self._release(thread_id)
        return []

    async def _skipping_failure(self, resume: Awaitable[list[Step]], thread_id: str) -> list[Step]:
        """The steps of one conversation's resume. A resume that fails ends its run as failed (its claim let go,
        so no later start tries it again) and is one line instead, in the steps and the log."""
        try:
            return await resume
        except Exception as exc:  # noqa: BLE001 - whatever broke this run must not stop the others or the start
            self._release(thread_id)
            line = (f"conversation {thread_id} could not be resumed and was ended as failed: "
                    f"{type(exc).__name__}: {exc}")
            _LOG.warning(line)
            return [Answer(line)]

    async def resume_if_decided(self, action: PendingAction) -> list[Step]:
        """Resume the conversation that waits on ``action`` once it is decided (unless another run has it)."""
        if action.status is ApprovalStatus.pending or not self._claim(action.thread_id):
            return []
        state = await self._state_while_claimed(action.thread_id)
        ids = [i.id for i in state.interrupts if (i.value or {}).get("action_id") == action.action_id]
        if ids:
            command = Command(resume={ids[0]: action.status})
        elif state.next and not state.interrupts:
            command = None  # the run was cut off (after the decision, or before its wait was saved): go on
        else:
            self._release(action.thread_id)
            return []
        return [s async for s in self.run(command, action.thread_id, resumed=action.action_id, claimed=True)]

    async def run(self, inputs: Any, thread_id: str, resumed: str | None = None,
                  claimed: bool = False) -> AsyncIterator[Step]:
        """Stream a run's steps. A resumed run replays the results of sibling actions that finished in earlier
        resumes; only the resumed action's own result is new, so the replays are left out. A conversation
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
            for step in await self.resume_if_decided(action):
                yield step

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
            return await self.graph.aget_state(run_config(thread_id))
        except BaseException:
            self._running.discard(thread_id)
            raise

    async def _decided_meanwhile(self, thread_id: str) -> list[PendingAction]:
        """The actions the conversation waits on that were decided while its run was ending: their approver
        found the run holding the conversation and left the resume to it."""
        state = await self.graph.aget_state(run_config(thread_id))
        ids = {(i.value or {}).get("action_id") for i in state.interrupts} - {None}
        return [a for a in map(self.queue.get, sorted(ids)) if a.status is not ApprovalStatus.pending]

    async def _stream(self, inputs: Any, thread_id: str, resumed: str | None) -> AsyncIterator[Step]:
        # each step's checkpoint is saved before the next step starts: an action enters the queue, or runs, only
        # once the conversation that resumes it is saved (LangGraph's default saves in the background, which a
        # killed process loses)
        # the audit head is kept once for the run's records (and at least every few seconds while runs go on)
        with self.audit.batch():
            async for mode, chunk in self.graph.astream(inputs, run_config(thread_id),
                                                        stream_mode=["messages", "updates"], durability="sync"):
                if mode == "messages":
                    if step := _streamed(*chunk):
                        yield step
                    continue
                for node, update in chunk.items():
                    for step in self._updated(node, update, resumed):
                        yield step
                    if node not in ("act", "__interrupt__"):  # past the resumed step: every later act is new
                        resumed = None

    def _updated(self, node: str, update: Any, resumed: str | None) -> list[Step]:
        """The steps of one node's update (an interrupt's: the actions that now wait)."""
        if node == "__interrupt__":
            return [waiting_of(pending.value or {}) for pending in update]
        messages = (update or {}).get("messages", [])
        if resumed and node == "act" and all(getattr(m, "tool_call_id", None) != resumed for m in messages):
            return []
        return [step for message in messages for step in steps_of(message, self.choices)]


def _streamed(piece: Any, meta: dict) -> Step | None:
    """The step of a streamed chunk of the model node: words (of a restating call, or of the answer), or the
    name of the call it is writing."""
    if not isinstance(piece, AIMessageChunk) or meta.get("langgraph_node") != "model":
        return None
    if piece.content:
        if TELLING_APART in meta.get("tags", ()):
            return None
        return (Restating if RESTATING in meta.get("tags", ()) else Token)(str(piece.content))
    if name := piece.response_metadata.get(CALLING):
        return Calling(name)
    return None

