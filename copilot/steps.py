"""What the copilot did, as the operator sees it: one small type per kind of step (a discriminated union).

A face dispatches on the type (``match step: case Answer(text=text): ...``); ``kind`` names it as data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import TypeAdapter

from copilot.agent.status import Status, ToolArtifact
from policies.model import Decision

_DECISION: TypeAdapter[Decision] = TypeAdapter(Decision)


class StepKind(StrEnum):
    """The kind of a step, as data: one per step type."""

    restating = "restating"
    calling = "calling"
    token = "token"
    choice = "choice"
    proposal = "proposal"
    result = "result"
    waiting = "waiting"
    answer = "answer"


@dataclass(frozen=True)
class Restating:
    """Words of the request restated in English (it was in another language), as the model writes them."""

    text: str
    kind: ClassVar[StepKind] = StepKind.restating


@dataclass(frozen=True)
class Calling:
    """The model is writing a call of ``tool``; its :class:`Choice` or :class:`Proposal` follows, complete."""

    tool: str
    kind: ClassVar[StepKind] = StepKind.calling


@dataclass(frozen=True)
class Token:
    """Words of the answer as the model writes them."""

    text: str
    kind: ClassVar[StepKind] = StepKind.token


@dataclass(frozen=True)
class Choice:
    """How the copilot chose to go about the request (a procedure and its slots, or a plan): not an action."""

    tool: str
    arguments: dict[str, Any]
    action_id: str
    kind: ClassVar[StepKind] = StepKind.choice


@dataclass(frozen=True)
class Proposal:
    """A call proposed, on its way to the policy gate."""

    tool: str
    arguments: dict[str, Any]
    action_id: str
    kind: ClassVar[StepKind] = StepKind.proposal


@dataclass(frozen=True)
class Result:
    """What became of a call: its result, or why it did not run (``text`` is the reply the model read)."""

    tool: str
    status: Status
    action_id: str
    text: str
    decision: Decision | None = None
    change: str | None = None
    result: Any = None
    kind: ClassVar[StepKind] = StepKind.result


@dataclass(frozen=True)
class Waiting:
    """An action waits for sign-off; the run stops here until it is decided."""

    tool: str
    action_id: str
    change: str
    decision: Decision | None = None
    prediction: str | None = None
    status: Status = field(default=Status.waiting)
    kind: ClassVar[StepKind] = StepKind.waiting

    @property
    def text(self) -> str:
        return f"waiting for approval: {self.change}" + (f"\n{self.prediction}" if self.prediction else "")


@dataclass(frozen=True)
class Answer:
    """The copilot's answer."""

    text: str
    kind: ClassVar[StepKind] = StepKind.answer


Step = Restating | Calling | Token | Choice | Proposal | Result | Waiting | Answer


def steps_of(message: BaseMessage, choices: Iterable[str] = ()) -> list[Step]:
    """What a graph message means to the operator. A call in ``choices`` (the plan, a procedure) is how the
    copilot chose to go about the request, not an action."""
    choices = frozenset(choices)
    if isinstance(message, AIMessage):
        steps: list[Step] = [(Choice if c["name"] in choices else Proposal)(c["name"], c["args"], c["id"])
                             for c in message.tool_calls]
        if message.content and not message.tool_calls:
            steps.append(Answer(str(message.content)))
        return steps
    if isinstance(message, ToolMessage) and message.name not in choices:
        art = ToolArtifact.of(message)
        return [Result(tool=message.name or "", status=art.status, action_id=message.tool_call_id,
                       text=str(message.content), decision=_judged(art.decision), change=art.change, result=art.result)]
    return []


def _judged(decision: dict[str, Any] | None) -> Decision | None:
    return _DECISION.validate_python(decision) if decision else None


def waiting_of(value: dict[str, Any]) -> Waiting:
    """The step of an interrupt's value (copilot/agent/signoff.py)."""
    return Waiting(tool=value.get("tool") or "", action_id=value.get("action_id") or "",
                   change=value.get("change") or "", decision=_judged(value.get("decision")),
                   prediction=value.get("prediction"))


@dataclass(frozen=True)
class Said:
    """What a person wrote in the conversation."""

    text: str


@dataclass(frozen=True)
class Replied:
    """The copilot's steps in reply, up to the next thing a person wrote."""

    steps: list[Step]


@dataclass(frozen=True)
class Transcript:
    """A conversation as its people see it, to draw it again."""

    entries: list[Said | Replied]
    messages: int  # how many messages it holds: it moved when this grew
    unfinished: bool  # the run stopped before its answer: waiting for a decision, or resuming after one


def transcript_of(messages: list[BaseMessage], choices: Iterable[str] = ()) -> Transcript:
    """The transcript of a conversation's messages."""
    entries: list[Said | Replied] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            entries.append(Said(str(message.content)))
            continue
        if not entries or isinstance(entries[-1], Said):
            entries.append(Replied([]))
        entries[-1].steps.extend(steps_of(message, choices))
    last = messages[-1] if messages else None
    unfinished = last is not None and not (isinstance(last, AIMessage) and not last.tool_calls)
    return Transcript(entries, len(messages), unfinished)
