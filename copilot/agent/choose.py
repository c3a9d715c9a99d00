"""The model node: the model chooses a procedure, a plan step or a tool call, or answers.

Who chooses depends on the run: a caller's own procedure or tool call needs no model; a first message with
procedures in use goes to the chooser; otherwise the free loop calls tools, narrowed so a small model moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from copilot.agent.messages import current_turn, new_call_id, with_own_ids
from copilot.agent.planning import plan_narrowing
from copilot.agent.prompt import RESTATING, BoundModel
from copilot.agent.runtime import Runtime
from copilot.agent.state import AgentState, kept_run
from copilot.agent.status import Status, ToolArtifact
from copilot.llm.errors import LLMError
from copilot.procedures.answer import faithful, restating_request
from copilot.procedures.chooser import OTHER, chooser_messages, latest_request
from copilot.procedures.language import LANGUAGE_NAMES, language_of
from copilot.procedures.questions import is_question
from copilot.procedures.run import AUTHOR, ProcedureRun, RunState
from copilot.store.approvals import Origin
from copilot.understanding.numbers import in_digits
from policies.model import Risk
from tools.base import Tool


def narrowing(turn: list[AnyMessage], tools: list[str]) -> dict[str, Any]:
    """How to narrow the next free-loop call so a small model moves on instead of repeating itself:
    after a blocked repeat, only an answer; otherwise not the tools whose results it has just read."""
    last_results: list[ToolMessage] = []
    for message in reversed(turn):
        if not isinstance(message, ToolMessage):
            break
        last_results.append(message)
    statuses = {ToolArtifact.of(m).status for m in last_results}
    if Status.blocked in statuses:
        return {"tool_choice": "none"}
    just_read = {m.name for m in last_results if ToolArtifact.of(m).status is Status.done}
    allowed = [t for t in tools if t not in just_read]
    return {"allowed_tools": allowed} if just_read and allowed else {}


def without_changes(narrowed: dict[str, Any], bound: list[str], tools: dict[str, Tool]) -> dict[str, Any]:
    """The narrowing of a question's turn: the same, less every tool that changes something (an answer when
    nothing else is left)."""
    changes = {name for name, tool in tools.items() if tool.risk != Risk.read}
    choice = narrowed.get("tool_choice")
    if isinstance(choice, str) and choice not in ("auto", "required", "any"):
        return {"tool_choice": "none"} if choice in changes else narrowed
    allowed = [name for name in narrowed.get("allowed_tools", bound) if name not in changes]
    return {"allowed_tools": allowed} if allowed else {"tool_choice": "none"}


@dataclass
class Choose:
    """The ``model`` node: one choice per call, or the answer."""

    rt: Runtime
    bound: BoundModel

    async def __call__(self, state: AgentState) -> dict:
        turn = current_turn(state["messages"])
        first = not any(isinstance(m, AIMessage) for m in turn)
        if sum(isinstance(m, AIMessage) for m in turn) >= self.rt.settings.max_steps_per_turn:
            return {"messages": [AIMessage(content=self._stopped())]}
        if first and self.rt.procedures and (chosen := state.get("chosen")):
            call = {"name": chosen.procedure, "args": chosen.slots, "id": new_call_id(), "type": "tool_call"}
            return {"messages": [AIMessage(content="", tool_calls=[call], name=AUTHOR)], "chosen": None}
        if first and (called := state.get("called")):
            via = str(state.get("via", Origin.mcp))
            return {"messages": [AIMessage(content="", tool_calls=[called.as_call()], name=via)]}
        try:
            if first and self.rt.procedures:
                return await self._choose_procedure(state)
            return {"messages": [with_own_ids(await self._free_loop(state["messages"], turn))]}
        except LLMError as exc:  # the operator learns the model is down; the run ends cleanly, nothing ran
            return {"messages": [AIMessage(content=f"I cannot think right now: {exc}")]}

    def _stopped(self) -> str:
        return (f"I stopped after {self.rt.settings.max_steps_per_turn} steps without finishing. "
                "Here is what I found so far in the steps above; please narrow the request.")

    async def _choose_procedure(self, state: AgentState) -> dict:
        """The chooser: a procedure and its slots, or an answer in words (then no question stays open)."""
        asking = kept_run(state)
        english = await self._in_english(state["messages"], asking) if self.bound.brief else None
        messages = chooser_messages(self.bound.head, state["messages"], asking, brief=self.bound.brief,
                                    english=english)
        choosable = self._choosable(asking, latest_request(state["messages"]))
        reply = with_own_ids(await self.bound.model.ainvoke(messages, allowed_tools=choosable))
        picked = reply.tool_calls[0]["name"] if reply.tool_calls else None
        if picked in self.bound.choices and picked not in choosable:  # a model that ignored the list
            reply = AIMessage(content="", tool_calls=[{**reply.tool_calls[0], "name": OTHER, "args": {}}])
        if not reply.tool_calls:
            return {"messages": [reply], "procedure": None}
        return {"messages": [reply], "restated": english}

    async def _free_loop(self, messages: list[AnyMessage], turn: list[AnyMessage]) -> AIMessage:
        narrowed = plan_narrowing(turn) if self.bound.planning else narrowing(turn, list(self.rt.tools))
        if is_question(latest_request(messages)):
            narrowed = without_changes(narrowed, self.bound.tool_names, self.rt.tools)
        return await self.bound.model.ainvoke([*self.bound.loop_head, *messages], **narrowed)

    def _choosable(self, asking: ProcedureRun | None, request: str) -> list[str]:
        """What the chooser may pick: after a question asked back, the reply continues that procedure (or, if it
        asks for something else, goes to the free loop); for a question, only the procedures that change nothing;
        otherwise every procedure."""
        if asking is not None and asking.outcome is RunState.asking:
            return [asking.procedure, OTHER]
        if is_question(request):
            return [c for c in self.bound.choices if c == OTHER or not self.rt.procedures.get(c).changes]
        return list(self.bound.choices)

    async def _in_english(self, messages: list[AnyMessage], asking: ProcedureRun | None) -> str | None:
        """The request restated in English by the model, when it is in another language (None for English,
        or when the restatement brings a number or id the request lacks)."""
        request = latest_request(messages)
        lang = language_of(request, asking.lang if asking else "en")
        if lang == "en" or lang not in LANGUAGE_NAMES:
            return None
        restated = await self.bound.model.ainvoke([*self.bound.head, restating_request(request, lang)],
                                                  config={"tags": [RESTATING]}, tool_choice="none")
        return restated.text if faithful(restated.text, in_digits(request, lang)) else None
