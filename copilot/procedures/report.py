"""What a procedure's steps found and did, in lines a person reads: the answer is made of these.

Every line comes from a tool's result or the gate's outcome, so the answer can only
say what ran, what waits, what was refused and why, and what failed. How a result
reads is the tool's own (:meth:`tools.base.Tool.say`); text that came from the plant
(PLC strings, ERP fields, manual passages) is quoted there as data.
"""

from __future__ import annotations

from typing import Any

from copilot.agent.status import Status
from tools.base import Tool


def result_line(tool: Tool, status: Status, text: str, result: Any, change: str | None) -> str:
    """One line per call, by what became of it: a read's finding, what a change made, or why it did not run."""
    what = change or tool.name
    detail = text.split("\n", 1)[-1].strip()
    if status is Status.done:
        if not tool.changes:
            return tool.say(result)
        made = tool.say(result)
        return f"done: {what} ({made})" if made else f"done: {what}"
    if status is Status.denied:
        return f"refused: {what}: {detail.removeprefix('refused by policy: ')}"
    if status is Status.rejected:
        return f"rejected: {what}: {detail}"
    if status is Status.waiting:
        return f"waiting for approval: {what}"
    return f"not done: {what}: {detail}"
