"""Plan first, then follow the plan: how a small model gets through a multi-step request.

A 1.5B model choosing freely after each tool result tends to stop early and claim
actions it never took ("I have opened a work order" after only listing them). So
for constrained models the turn starts with one ``plan`` call that names, in
order, the tools the request needs; each later call is narrowed to the next
planned tool, and once the plan is done, to an answer in words. The model still
writes every call's arguments with the earlier results in view, and every call
still passes the policy gate: the plan only narrows what may be proposed.

With procedures on (copilot/procedures/), a turn reaches this loop only when no
procedure fits the request, and the plan lists reads only: every change the
copilot makes for a constrained model comes from a procedure, whose slots the
model filled from the operator's own words before any plant text was read.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from copilot.agent.status import Status, ToolArtifact

PLAN = "plan"
MAX_READS = 3
MAX_CHANGES = 2


def plan_schema(reads: list[str], changes: list[str]) -> dict[str, Any]:
    """The ``plan`` pseudo-tool: bound with the real tools (so the prompt prefix stays stable), never executed.
    Reads and changes are listed apart so the model thinks of the change the operator asked for; with no
    change tools the plan is of reads only."""
    properties: dict[str, Any] = {"reads": {"type": "array", "items": {"enum": reads}, "maxItems": MAX_READS}}
    if changes:
        properties["changes"] = {"type": "array", "items": {"enum": changes}, "maxItems": MAX_CHANGES}
    what = ("reads: what to look up first; changes: every change the operator asked for (e.g. create_work_order "
            "for 'open a work order'), else empty." if changes else "reads: what to look up.")
    return {
        "type": "function",
        "function": {
            "name": PLAN,
            "description": f"Always first: the tools this request needs. {what}",
            "parameters": {"type": "object", "properties": properties, "required": list(properties),
                           "additionalProperties": False},
        },
    }


def planned_steps(turn: list[AnyMessage]) -> list[str] | None:
    """The steps of this turn's plan (reads, then changes), or None before the model has planned."""
    for message in turn:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                if call["name"] == PLAN:
                    return _names(call["args"].get("reads")) + _names(call["args"].get("changes"))
    return None


def _names(value: Any) -> list[str]:
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def plan_narrowing(turn: list[AnyMessage]) -> dict[str, Any]:
    """What the next call may reply with: the plan, then each planned tool in turn, then an answer.

    A step whose arguments were invalid is tried again (the step budget bounds the retries);
    a blocked call ends the plan, as does a denial or rejection (the answer explains it).
    """
    steps = planned_steps(turn)
    if steps is None:
        return {"tool_choice": PLAN}
    results = [m for m in turn if isinstance(m, ToolMessage) and m.name != PLAN]
    statuses = [ToolArtifact.of(m).status for m in results]
    if any(s.ends_a_plan for s in statuses):
        return {"tool_choice": "none"}
    taken = sum(s is not Status.invalid_arguments for s in statuses)
    if taken < len(steps):
        return {"tool_choice": steps[taken]}
    return {"tool_choice": "none"}


def plan_reply(steps: list[str]) -> str:
    """What the model reads back after planning."""
    return "plan noted: " + (" → ".join(steps) if steps else "answer directly")
