"""The agent's typed state: the conversation's messages and what the current run carries between nodes."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, ToolCall
from langgraph.graph import END
from langgraph.graph.message import add_messages
from pydantic import BaseModel

from copilot.agent.messages import current_turn
from copilot.procedures.run import ProcedureRun, RunState
from copilot.store.approvals import ApprovalStatus, Origin
from policies.model import ActionFacts, Allow, RequireApproval, Role


class Chosen(BaseModel):
    """A procedure and its slots chosen by the caller (the monitor, a person's form): no model chooses.
    ``as_given``: the slots are a person's own checked choices (a form), run as they are, not grounded in words."""

    procedure: str
    slots: dict[str, Any]
    as_given: bool = False


class Called(BaseModel):
    """One tool call made by the caller (over MCP): gated, run, and the run ends."""

    tool: str
    args: dict[str, Any]
    id: str

    def as_call(self) -> ToolCall:
        return ToolCall(name=self.tool, args=self.args, id=self.id, type="tool_call")


class Tasks(BaseModel):
    """A request told apart into tasks, carried out in order: the tasks, the one in hand, the answers so far, and
    the first task that asked something back: its run, kept for the reply, and its question, told last."""

    tasks: list[str]
    at: int = 0
    answers: list[str] = []
    asked: ProcedureRun | None = None
    question: str | None = None

    @property
    def task(self) -> str:
        return self.tasks[self.at]

    @property
    def more(self) -> bool:
        """Whether a task follows the one in hand."""
        return self.at + 1 < len(self.tasks)

    def answered(self, text: str | None) -> Tasks:
        """On to the next task, the one in hand answered with ``text`` (None: its answer was shown already)."""
        answers = [*self.answers, f"{self.task}:\n{text}"] if text is not None else self.answers
        return self.model_copy(update={"at": self.at + 1, "answers": answers})

    def deferring(self, run: ProcedureRun, text: str) -> Tasks:
        """On to the next task, the one in hand asking ``text`` back: asked once the others are done."""
        return self.model_copy(update={"at": self.at + 1, "asked": run, "question": f"{self.task}:\n{text}"})

    def answer(self, text: str, *, finished: bool = True) -> str:
        """The turn's answer: each task's, the last ``text``, then the question a task deferred; ``finished`` false
        when the task in hand asks something back, and the tasks after it (and the one deferred) are named as not
        done."""
        parts = [*self.answers, f"{self.task}:\n{text}"]
        if finished:
            return "\n\n".join([*parts, *([self.question] if self.question else [])])
        deferred = [self.asked.request] if self.asked is not None else []  # its run's request is the task
        if left := [*deferred, *self.tasks[self.at + 1:]]:
            parts.append("Not done yet (ask again once this is answered): " + "; ".join(left))
        return "\n\n".join(parts)


class AgentState(TypedDict):
    """A conversation as the graph keeps it in its checkpoints."""

    messages: Annotated[list[AnyMessage], add_messages]
    user: str
    role: Role
    via: NotRequired[Origin]
    procedure: NotRequired[ProcedureRun | None]  # the procedure run in progress, or waiting for an answer
    restated: NotRequired[str | None]  # this turn's request in English, when written in another language
    chosen: NotRequired[Chosen | None]
    called: NotRequired[Called | None]
    tasks: NotRequired[Tasks | None]  # the tasks this turn's request was told apart into, when several


class Ticket(BaseModel):
    """A call the gate let through, carried to the act node (it lives in checkpoints)."""

    action_id: str
    call_id: str
    thread_id: str
    user: str
    role: Role
    tool: str
    arguments: dict[str, Any]
    digest: str
    decision: Allow | RequireApproval
    facts: ActionFacts
    via: Origin = Origin.chat
    procedure: str | None = None  # the procedure whose step it is

    @property
    def call(self) -> ToolCall:
        """The model's call this ticket answers."""
        return ToolCall(name=self.tool, args=self.arguments, id=self.call_id, type="tool_call")


def kept_run(state: AgentState) -> ProcedureRun | None:
    """The procedure run the conversation keeps: one in progress, or one waiting for an answer."""
    raw = state.get("procedure")
    return ProcedureRun.model_validate(raw) if raw else None


def running(state: AgentState) -> ProcedureRun | None:
    """The procedure run in progress, if any."""
    run = kept_run(state)
    return run if run is not None and run.active else None


def turn_of(state: AgentState, choices: tuple[str, ...]) -> list[AnyMessage]:
    """The messages of this turn since the operator's message; of a request of several tasks, those of the task in
    hand from its choice on (none while it is still to be chosen): each task is a turn of its own to the gate and
    model."""
    turn = current_turn(state["messages"])
    tasks = state.get("tasks")
    if tasks is None:
        return turn
    chosen = [i for i, m in enumerate(turn)
              if isinstance(m, AIMessage) and m.tool_calls and m.tool_calls[0]["name"] in choices]
    return turn[chosen[tasks.at]:] if len(chosen) > tasks.at else []


def after_results(state: AgentState) -> str:
    """Where a step's results go: back to its procedure, to the model, or (a caller's own call) nowhere."""
    if state.get("called"):
        return END
    return "procedure" if running(state) else "model"


KEPT_TYPES: tuple[type, ...] = (Role, Origin, ApprovalStatus, ProcedureRun, RunState, Chosen, Called, Ticket, Tasks)
"""The types a conversation's checkpoints hold beside LangChain's messages (the state, the act node's tickets, the
decision a run resumes with): the checkpointer loads these and no other class."""
