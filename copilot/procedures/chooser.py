"""The one constrained call that turns a request into a procedure with its slots filled.

A constrained (small, local) model sees the system prompt (which lists every
procedure as a choice), the conversation's earlier requests and answers in brief,
and the request; never a tool result, so text planted in the plant's data cannot
choose a change, and the call costs few prompt tokens. When the last turn asked
something back, the request is shown with the question and the operator's reply,
and the model fills the same procedure again from both. A served model, for which
prompt tokens are cheap, sees the whole conversation.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage

from connectors.plant import Plant
from copilot.procedures.run import Outcome, ProcedureRun
from copilot.procedures.slots import choice_schema
from copilot.procedures.spec import Procedures

OTHER = "other_request"
"""The choice for a request no procedure fits: the free tool-calling loop takes it."""

_OTHER_SCHEMA = {
    "type": "function",
    "function": {
        "name": OTHER,
        "description": "No procedure fits the request (but it is about the plant): look it up with the tools.",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
    },
}
_HISTORY_TURNS = 2


def choice_schemas(procedures: Procedures, plant: Plant) -> list[dict[str, Any]]:
    return [choice_schema(p, plant) for p in procedures.procedures] + [_OTHER_SCHEMA]


def choice_names(procedures: Procedures) -> list[str]:
    return [*procedures.names, OTHER]


def request_for_choice(messages: list[AnyMessage], asking: ProcedureRun | None) -> str:
    """The request as the chooser reads it: with the question asked back and the reply, if there was one."""
    request = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    if asking is not None and asking.outcome is Outcome.asking:
        return f"{asking.request}\n(I asked: {asking.reason})\n{request}"
    return request


def chooser_messages(prompt: SystemMessage, messages: list[AnyMessage], request: str, *, brief: bool) -> list[AnyMessage]:
    """The prompt, then (``brief``) the last turns' requests and answers without tool calls or results and the
    request, or else the whole conversation."""
    if not brief:
        return [prompt, *messages]
    earlier: list[AnyMessage] = []
    for message in messages[:-1]:
        if isinstance(message, HumanMessage):
            earlier.append(HumanMessage(message.text))
        elif isinstance(message, AIMessage) and message.text and not message.tool_calls:
            earlier.append(AIMessage(message.text[:300]))
    pairs = earlier[-2 * _HISTORY_TURNS:]
    return [prompt, *pairs, HumanMessage(request)]
