"""The procedure node: start the chosen procedure, or take its last step's results, and go on — to the gate
with the next calls, or to the answer. A choice of no procedure hands the turn to the free loop."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.messages import AIMessage, AnyMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END
from langgraph.types import Command

from copilot.agent.messages import as_text, current_turn, tool_reply
from copilot.agent.prompt import BoundModel
from copilot.agent.runtime import Runtime
from copilot.agent.state import AgentState, Tasks, kept_run, running
from copilot.agent.status import Status, ToolArtifact
from copilot.llm.errors import LLMError
from copilot.procedures.answer import (
    answer_lines,
    needs_wording,
    stands_for,
    told_once,
    wording_request,
)
from copilot.procedures.chooser import (
    OTHER,
    latest_request,
    previous_request,
    request_for_choice,
    request_language,
    said_earlier,
)
from copilot.procedures.run import AUTHOR, CallResult, ProcedureRun, RunState, advance, start
from copilot.store.audit import AuditKind
from copilot.understanding.references import consents, repeats_earlier


@dataclass
class AdvanceProcedure:
    """The ``procedure`` node."""

    rt: Runtime
    bound: BoundModel

    async def __call__(self, state: AgentState, config: RunnableConfig) -> Command:
        messages = state["messages"]
        last = messages[-1]
        replies: list[AnyMessage] = []
        run = running(state)
        results: list[CallResult] = []
        if isinstance(last, AIMessage) and last.tool_calls and last.tool_calls[0]["name"] in self.bound.choices:
            call = last.tool_calls[0]
            if call["name"] == OTHER:
                return Command(update={"messages": [tool_reply(call, Status.done, "no procedure fits; use the tools")],
                                       "procedure": None}, goto="model")
            run = self._start(state, call, config["configurable"]["thread_id"], by_model=last.name != AUTHOR)
            replies.append(tool_reply(call, Status.done, f"procedure {run.procedure} with {as_text(run.slots)}"))
        elif run is not None:
            results = [CallResult(call_id=m.tool_call_id, tool=m.name or "", text=m.text, artifact=ToolArtifact.of(m))
                       for m in current_turn(messages) if isinstance(m, ToolMessage) and m.tool_call_id in run.calls]
        if run is None:  # nothing to continue (a resumed run that already answered)
            return Command(goto=END)
        calls: list[ToolCall] = []
        if run.active:
            run, calls = advance(run, self.rt.procedures.get(run.procedure), self.rt.deps.plant, results)
        if calls:
            replies.append(AIMessage(content="", tool_calls=calls, name=AUTHOR))
            return Command(update={"messages": replies, "procedure": run}, goto="gate")
        answer = await self._answer(run, [*messages, *replies])
        if run.outcome is RunState.asking:  # what the chooser's ask-back rate is made of (copilot/governance/drift.py)
            self.rt.audit.append(kind=AuditKind.procedure, actor=state["user"], tool=run.procedure,
                                 thread_id=config["configurable"]["thread_id"],
                                 arguments={"asked": run.reason, "by_model": _by_model(messages, run.procedure)})
        return self._after(run, answer, replies, state.get("tasks"))

    @staticmethod
    def _after(run: ProcedureRun, answer: str, replies: list[AnyMessage], tasks: Tasks | None) -> Command:
        """On to the request's next task (a task that asks back is asked once the others are done), or the turn's
        answer, keeping the run that waits for a reply."""
        asking = run.outcome is RunState.asking
        if tasks is not None and tasks.more and not asking:
            return Command(update={"messages": replies, "procedure": None, "tasks": tasks.answered(answer)},
                           goto="model")
        if tasks is not None and tasks.more and tasks.asked is None:
            return Command(update={"messages": replies, "procedure": None, "tasks": tasks.deferring(run, answer)},
                           goto="model")
        kept = run if asking else None
        if tasks is not None:
            answer = tasks.answer(answer, finished=not asking)
            kept = kept or tasks.asked  # the reply answers the question told last
        replies.append(AIMessage(content=answer, name=AUTHOR))
        return Command(update={"messages": replies, "procedure": kept, "tasks": None}, goto=END)

    def _start(self, state: AgentState, call: ToolCall, thread_id: str, by_model: bool) -> ProcedureRun:
        """A new run of the chosen procedure with the slots the model filled (or a form's, as given), audited with
        how it began (stopped: told a name the plant lacks; asking back; running) and whether the model chose it."""
        asking, tasks, chosen = kept_run(state), state.get("tasks"), state.get("chosen")
        spec = self.rt.procedures.get(call["name"])
        request = tasks.task if tasks is not None else request_for_choice(state["messages"], asking)
        if chosen is not None and chosen.as_given and chosen.procedure == spec.name:  # a form: the person's choices
            run = start(spec, request, chosen.slots, "en", self.rt.deps.plant, as_given=True)
        else:
            latest, before = latest_request(state["messages"]), previous_request(state["messages"])
            repeated = before if repeats_earlier(latest) or consents(latest) else None
            run = start(spec, request, call["args"], request_language(state["messages"]),
                        self.rt.deps.plant, english=state.get("restated"), earlier=said_earlier(state["messages"]),
                        repeated=repeated, before=before, by_model=by_model)
        self.rt.audit.append(kind=AuditKind.procedure, actor=state["user"], thread_id=thread_id, tool=spec.name,
                             arguments={"slots": run.slots, "lang": run.lang, "began": str(run.outcome),
                                        "by_model": by_model})
        return run

    async def _answer(self, run: ProcedureRun, context: list[AnyMessage]) -> str:
        """The run's answer from its facts, worded by the model in the operator's language where it needs it."""
        text = answer_lines(run)
        if not needs_wording(run):
            return text
        try:
            seen = [] if self.bound.brief else context  # as the chooser saw it
            worded = await self.bound.model.ainvoke([*self.bound.head, *seen, wording_request(text, run.lang)],
                                                    tool_choice="none")
        except LLMError:
            return text  # the facts in English are still the answer
        once = told_once(worded.text)
        return once if stands_for(once, text, run.lang, frozenset(self.rt.deps.plant.machines)) else text


def _by_model(messages: list[AnyMessage], procedure: str) -> bool:
    """Whether the model chose this turn's ``procedure`` (a caller's choice is written in the procedure's name)."""
    return not any(isinstance(m, AIMessage) and m.name == AUTHOR and any(c["name"] == procedure for c in m.tool_calls)
                   for m in current_turn(messages))
