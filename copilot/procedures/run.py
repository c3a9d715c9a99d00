"""One run of a procedure: the state it keeps between steps, and how it moves on.

The graph asks :func:`advance` what to do next after each step's results come
back; it answers with the tool calls of the next read or change (which the graph
sends through the policy gate like any model call) or with the run finished,
stopped (a decision had nothing to do, a change was refused, rejected or failed)
or asking back. Decisions run in place. The run is plain data, so it lives in the
conversation's checkpoint and resumes after an approval or a restart.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from connectors.plant import Plant
from copilot.agent.status import Status, ToolArtifact
from copilot.procedures.decisions import decide
from copilot.procedures.grounding import checked
from copilot.procedures.outcome import AskBack, Stop
from copilot.procedures.report import result_line
from copilot.procedures.spec import REFERENCE, Procedure, ProcedureStep, StepKind
from tools.base import Tool

AUTHOR = "procedure"
"""The name on the messages a procedure writes (its calls and its answer), which no model wrote."""


class RunState(StrEnum):
    """Where a procedure run stands."""

    running = "running"
    finished = "finished"
    stopped = "stopped"  # nothing (more) to do, or a change was refused, rejected or failed: ``reason`` says why
    asking = "asking"  # ``reason`` is the question for the operator


class ProcedureRun(BaseModel):
    """One run of a procedure: its request and slots, the values in scope, the step it is at, the
    calls in flight, what it told, and how it ended."""

    procedure: str
    request: str
    slots: dict[str, Any] = {}
    lang: str = "en"
    scope: dict[str, Any] = {}
    step: int = 0  # the next step to take
    calls: dict[str, str] = {}  # call id -> tool, of the step in flight
    lines: list[str] = []  # what was found, decided and done, in order: the answer is made of them
    outcome: RunState = RunState.running
    reason: str = ""

    @property
    def active(self) -> bool:
        return self.outcome is RunState.running


class CallResult(BaseModel):
    """What came back for one call of the step in flight."""

    call_id: str
    tool: str
    text: str = ""
    artifact: ToolArtifact

    def line(self, tool: Tool) -> str:
        """What became of the call, read by ``tool`` (the step's)."""
        return result_line(tool, self.artifact.status, self.text, self.artifact.result, self.artifact.change)


def start(procedure: Procedure, request: str, slots: dict[str, Any], lang: str, plant: Plant, *,
          english: str | None = None, earlier: str = "", repeated: str | None = None, before: str | None = None,
          as_given: bool = False, by_model: bool = True) -> ProcedureRun:
    """A run with the model's slots, checked by code (copilot/procedures/grounding.py); a name the plant lacks
    is told, and an unclear part or a required slot left out is asked back, before anything is read.
    ``english``: the request restated in English, the one the model chose from; ``earlier``: the conversation's
    earlier requests and answers, where "that order" was named; ``repeated``: the request before, when this one
    asks the same of something else; ``before``: the operator's request before this one; ``as_given``: the slots
    are a person's checked choices (a form), taken as they are; ``by_model``: the model filled them, not a caller
    (the monitor) that chose the procedure."""
    given = {k: v for k, v in slots.items() if k in procedure.slots and v not in (None, "", [])}
    filled, unknown, question = (given, None, None) if as_given else \
        checked(request, procedure, given, plant, lang=lang, english=english, earlier=earlier, repeated=repeated,
                before=before, by_model=by_model)
    run = ProcedureRun(procedure=procedure.name, request=request, slots=filled, lang=lang,
                       scope={**{name: filled.get(name) for name in procedure.slots}, "request": request[:500],
                              "lang": lang})
    if unknown:
        return run.model_copy(update={"outcome": RunState.stopped, "reason": unknown})
    if question:
        return run.model_copy(update={"outcome": RunState.asking, "reason": question})
    missing = [name for name, slot in procedure.slots.items() if slot.required and name not in filled]
    if missing:
        slot = procedure.slots[missing[0]]
        question = slot.ask or f"Which {slot.description or missing[0]}?"
        return run.model_copy(update={"outcome": RunState.asking, "reason": question})
    return run


def advance(run: ProcedureRun, procedure: Procedure, plant: Plant,
            results: list[CallResult]) -> tuple[ProcedureRun, list[dict]]:
    """Take in the results of the step in flight, then go on to the next calls (or to the run's end)."""
    run = run.model_copy(deep=True)
    if run.calls:
        _take(run, procedure, results)
        if not run.active:
            return run, []
    while run.step < len(procedure.steps):
        step = procedure.steps[run.step]
        if _skipped(step, run.scope):
            run.step += 1
            continue
        if step.kind is StepKind.decide:
            if not _decide(run, step, plant):
                return run, []
            run.step += 1
            continue
        calls = _calls(step, run.scope)
        if not calls:
            run.step += 1
            continue
        run.calls = {c["id"]: c["name"] for c in calls}
        return run, calls
    run.outcome = RunState.finished
    return run, []


def _skipped(step: ProcedureStep, scope: dict[str, Any]) -> bool:
    """Whether one of the step's ``when`` references is unset or its ``unless`` is set in the scope."""
    return not all(_resolve(ref, scope) for ref in step.required) or bool(step.unless and
                                                                          _resolve(step.unless, scope))


def _decide(run: ProcedureRun, step: ProcedureStep, plant: Plant) -> bool:
    """Run a decide step in place: True with its value kept and its note told, or False with the run stopped
    or asking."""
    inputs = {name: _resolve(value, run.scope) for name, value in step.args.items()}
    try:
        decided = decide(step.target, plant, inputs)
    except Stop as why:
        run.outcome, run.reason = RunState.stopped, str(why)
        return False
    except AskBack as question:
        run.outcome, run.reason = RunState.asking, str(question)
        return False
    if step.into:
        run.scope[step.into] = decided.value
    if decided.note:
        run.lines.append(decided.note)
    return True


def _calls(step: ProcedureStep, scope: dict[str, Any]) -> list[dict]:
    """The tool calls of a read or change step: one, or one per item of its ``each`` (none for no items)."""
    items = _resolve(step.each, scope) if step.each else [None]
    calls = []
    for item in items or []:
        item_scope = {**scope, "item": item}
        args = {name: _resolve(value, item_scope) for name, value in step.args.items()}
        calls.append({"name": step.target, "args": {k: v for k, v in args.items() if v is not None},
                      "id": f"call_{uuid.uuid4().hex[:16]}", "type": "tool_call"})
    return calls


def _take(run: ProcedureRun, procedure: Procedure, results: list[CallResult]) -> None:
    step = procedure.steps[run.step]
    mine = [r for r in results if r.call_id in run.calls]
    run.calls = {}
    run.step += 1
    # a read kept for a decision is told by the decision's note; other reads and every change are told as they are
    told = [r for r in mine if not (step.into and step.kind is StepKind.read and r.artifact.status is Status.done)]
    run.lines += [r.line(step.tool) for r in told]
    failed = [r for r in mine if r.artifact.status is not Status.done]
    if step.into:
        values = [r.artifact.result for r in mine if r.artifact.status is Status.done]
        run.scope[step.into] = values if step.each else (values[0] if values else None)
    if failed:
        run.outcome = RunState.stopped
        run.reason = "; ".join(r.line(step.tool) for r in failed)


def _resolve(value: Any, scope: dict[str, Any]) -> Any:
    """A step argument with its references (``$name.field``) replaced by their values; None when unset."""
    if isinstance(value, dict):
        return {k: _resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, scope) for v in value]
    if not isinstance(value, str):
        return value
    match = REFERENCE.match(value)
    if not match:
        return value
    current: Any = scope.get(match.group(1))
    for field in filter(None, match.group(2).split(".")):
        current = current.get(field) if isinstance(current, dict) else None
    return current
