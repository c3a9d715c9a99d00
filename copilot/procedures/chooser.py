"""The one constrained call that turns a request into a procedure with its slots filled.

A constrained (small, local) model sees the system prompt (which lists every
procedure as a choice), the request before, and the request; never a tool
result, so text planted in the plant's data cannot choose a change, and the call
costs few prompt tokens. When the last turn asked something back, the request is
shown with the question and the operator's reply, and the model fills the same
procedure again from both. A served model, for which prompt tokens are cheap,
sees the whole conversation.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from connectors.plant import Plant
from copilot.procedures.asked import asked_back
from copilot.procedures.language import language_of
from copilot.procedures.run import ProcedureRun, RunState
from copilot.procedures.slots import choice_schema
from copilot.procedures.spec import ProcedureError, Procedures
from copilot.understanding.numbers import in_digits

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


def choice_schemas(procedures: Procedures, plant: Plant) -> list[dict[str, Any]]:
    """Each procedure as a tool the model may choose, then the ``other`` choice."""
    return [choice_schema(p, plant) for p in procedures.procedures] + [_OTHER_SCHEMA]


def example_turns(procedures: Procedures, plant: Plant) -> list[AnyMessage]:
    """Every procedure's examples as turns of a conversation: the request, and the reply the model should
    write (every slot, null when the request leaves it out). Each is checked against the procedure's schema:
    a value the plant does not have is a mistake in the procedures file."""
    turns: list[AnyMessage] = []
    for procedure in procedures.procedures:
        validator = Draft202012Validator(choice_schema(procedure, plant)["function"]["parameters"])
        for example in procedure.examples:
            arguments = {name: example.slots.get(name) for name in procedure.slots}
            problems = [e.message for e in validator.iter_errors(arguments)]
            if problems:
                raise ProcedureError(f"procedure {procedure.name!r}, example {example.request!r}: "
                                     f"{'; '.join(problems)}")
            turns += [HumanMessage(example.request),
                      AIMessage(content="", tool_calls=[{"name": procedure.name, "args": arguments, "id": "example"}])]
    return turns


def choice_names(procedures: Procedures) -> list[str]:
    """What the chooser may pick: the procedures' names, then ``other``."""
    return [*procedures.names, OTHER]


def latest_request(messages: list[AnyMessage]) -> str:
    """The operator's last message: what this turn was asked."""
    return next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")


def request_language(messages: list[AnyMessage]) -> str:
    """The language of the operator's last message; where it does not tell it surely ("onu 7500 kiloya dusur"),
    the language their requests before it were in, English at first."""
    lang = "en"
    for message in messages:
        if isinstance(message, HumanMessage):
            lang = language_of(message.text, lang)
    return lang


EARLIER_MESSAGES = 8  # how far back a conversation's requests and answers can name "that order"


def said_earlier(messages: list[AnyMessage]) -> str:
    """The conversation's requests and answers before its last request, the latest ``EARLIER_MESSAGES`` of them,
    a blank line between two."""
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=len(messages))
    return "\n\n".join(m.text for m in messages[:last][-EARLIER_MESSAGES:]
                     if isinstance(m, HumanMessage) or (isinstance(m, AIMessage) and not m.tool_calls))


def previous_request(messages: list[AnyMessage]) -> str | None:
    """The operator's request before their last one, if there was one."""
    requests = [m.text for m in messages if isinstance(m, HumanMessage)]
    return requests[-2] if len(requests) > 1 else None


def previous_procedure(messages: list[AnyMessage], procedures: list[str]) -> str | None:
    """The procedure chosen for the operator's request before their last one, if one was."""
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=len(messages))
    return next((call["name"] for m in reversed(messages[:last]) if isinstance(m, AIMessage)
                 for call in m.tool_calls if call["name"] in procedures), None)


def request_for_choice(messages: list[AnyMessage], asking: ProcedureRun | None) -> str:
    """The request as the chooser reads it: with the question asked back and the reply, if there was one."""
    request = latest_request(messages)
    if asking is not None and asking.outcome is RunState.asking:
        return asked_back(asking.request, asking.reason, request)
    return request


def chooser_messages(head: list[AnyMessage], messages: list[AnyMessage], asking: ProcedureRun | None, *,
                     brief: bool, english: str | None = None, task: str | None = None,
                     lang: str | None = None) -> list[AnyMessage]:
    """What the chooser reads after the prompt's head. ``brief``: the request, after the request before it as
    context, or after the question asked back and the request it was about; no earlier answer, so the model
    has no example of an answer that reports work done to copy (what was done is only ever told by the
    procedure); ``english``, the request restated in English, goes with it (the model reads both: the small
    model's translation loses words, "mach das Band aus" became "make the belt", "monte-le de 4" "raise it to
    4"). Otherwise the whole conversation. ``task``: the one task of a request of several to choose for now.
    A brief request's numbers said in words (in ``lang``, else in the language it tells) are in digits
    ("bestell ein Dutzend" reads "bestell 12")."""
    if not brief:
        return [*head, *messages, *([HumanMessage(f"Now this task of the request: {task}")] if task else [])]
    request = task or latest_request(messages)
    request = in_digits(request, lang or language_of(request))
    if english:
        request = f"{request}\n(in English: {english})"
    if asking is not None and asking.outcome is RunState.asking:
        return [*head, HumanMessage(asking.request), AIMessage(asking.reason), HumanMessage(request)]
    earlier = [m.text for m in messages[:-1] if isinstance(m, HumanMessage)][-1:]
    context = "".join(f"(earlier: {text[:300]})\n" for text in earlier)
    return [*head, HumanMessage(context + request)]
