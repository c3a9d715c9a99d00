"""Plan first, then follow the plan: how a small model gets through a multi-step request.

A 1.5B model choosing freely after each tool result tends to stop early and claim
actions it never took ("I have opened a work order" after only listing them). So
for constrained models the turn starts with one ``plan`` call that names, in
order, the tools the request needs; each later call is narrowed to the next
planned tool, and once the plan is done, to an answer in words. The model still
writes every call's arguments with the earlier results in view, and every call
still passes the policy gate: the plan only narrows what may be proposed.

A planned change is kept only when the operator's own request asks for it in
words (each change tool names the word stems that ask for it, ``Tool.asked_with``):
the eval suites showed the small model planning setpoint changes for "how is
HP-102 doing?" and following instructions planted in tool results, and asking the
model itself whether the request wants a change was no better than chance.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

PLAN = "plan"
MAX_READS = 3
MAX_CHANGES = 2


def plan_schema(reads: list[str], changes: list[str]) -> dict[str, Any]:
    """The ``plan`` pseudo-tool: bound with the real tools (so the prompt prefix stays stable), never executed.
    Reads and changes are listed apart so the model thinks of the change the operator asked for."""
    return {
        "type": "function",
        "function": {
            "name": PLAN,
            "description": (
                "Always first: the tools this request needs. reads: what to look up first; changes: every change "
                "the operator asked for (e.g. create_work_order for 'open a work order'), else empty."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "reads": {"type": "array", "items": {"enum": reads}, "maxItems": MAX_READS},
                    "changes": {"type": "array", "items": {"enum": changes}, "maxItems": MAX_CHANGES},
                },
                "required": ["reads", "changes"],
                "additionalProperties": False,
            },
        },
    }


Asked = Mapping[str, Sequence[str]]  # change tool -> word stems in a request that ask for it


def planned_steps(turn: list[AnyMessage], request: str, asked_with: Asked) -> list[str] | None:
    """The steps of this turn's plan (reads, then the changes the request asks for), or None before the model
    has planned. A change tool missing from ``asked_with`` is never asked for."""
    for message in turn:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                if call["name"] == PLAN:
                    changes = _names(call["args"].get("changes"))
                    return _names(call["args"].get("reads")) + [
                        c for c in changes if asks_for(request, asked_with.get(c, ()))]
    return None


def asks_for(request: str, stems: Sequence[str]) -> bool:
    """Whether a word of the request starts with one of the stems ("lower" asks for a setpoint change)."""
    return bool(stems) and re.search(r"\b(?:" + "|".join(re.escape(s) for s in stems) + ")", request, re.I) is not None


def _names(value: Any) -> list[str]:
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def plan_narrowing(turn: list[AnyMessage], request: str, asked_with: Asked) -> dict[str, Any]:
    """What the next call may reply with: the plan, then each planned tool in turn, then an answer.

    A step whose arguments were invalid is tried again (the step budget bounds the retries);
    a blocked call ends the plan, as does a denial or rejection (the answer explains it).
    """
    steps = planned_steps(turn, request, asked_with)
    if steps is None:
        return {"tool_choice": PLAN}
    results = [m for m in turn if isinstance(m, ToolMessage) and m.name != PLAN]
    statuses = [(m.artifact or {}).get("status") for m in results]
    if any(s in ("blocked", "denied", "rejected", "not_approved") for s in statuses):
        return {"tool_choice": "none"}
    taken = sum(s != "invalid_arguments" for s in statuses)
    if taken < len(steps):
        return {"tool_choice": steps[taken]}
    return {"tool_choice": "none"}


def plan_reply(steps: list[str]) -> str:
    """What the model reads back after planning."""
    return "plan noted: " + (" → ".join(steps) if steps else "answer directly")
