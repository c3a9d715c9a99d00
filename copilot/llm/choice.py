"""What a model may reply with on one call: which of the bound tools, and whether it may answer in words.

The agent narrows the choice per call (``tool_choice`` or ``allowed_tools``),
e.g. to stop a small model from repeating the call it just made. The prompt
lists every bound tool either way; only what the model may emit changes, so a
local model keeps reusing its cached prompt prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

ANSWER = "answer"
"""The pseudo-tool of constrained mode for replying to the operator in words."""

ToolChoice = str | dict[str, Any] | None
"""``None``/"auto": any allowed tool or an answer; "any"/"required": one of the allowed tools;
"none": an answer only; a tool name or ``{"type": "function", "function": {"name": ...}}``: that tool."""


class ToolChoiceError(ValueError):
    """A tool choice names a tool that is not bound, or leaves the model nothing to reply with."""


@dataclass(frozen=True)
class Choices:
    """What one call may reply with: the allowed tools, and whether an answer in words is allowed."""

    tools: tuple[dict[str, Any], ...]  # OpenAI function-calling dicts: {"type": "function", "function": {...}}
    answer: bool

    @property
    def names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]


def openai_tools(tools: Sequence[Any]) -> list[dict[str, Any]]:
    """Tools in the OpenAI function-calling format (from dicts, LangChain tools, pydantic models or functions)."""
    converted = [convert_to_openai_tool(t) for t in tools]
    names = [t["function"]["name"] for t in converted]
    if ANSWER in names:
        raise ToolChoiceError(f"a tool may not be named {ANSWER!r}: the name is kept for answering in words")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ToolChoiceError(f"tools bound twice: {', '.join(duplicates)}")
    return converted


def choices(
    bound: Sequence[dict[str, Any]], tool_choice: ToolChoice = None, allowed_tools: Sequence[str] | None = None
) -> Choices:
    """The replies allowed on one call, from the bound tools narrowed by ``allowed_tools`` and ``tool_choice``."""
    by_name = {t["function"]["name"]: t for t in bound}
    if allowed_tools is not None:
        _check_known(allowed_tools, by_name)
        by_name = {n: t for n, t in by_name.items() if n in set(allowed_tools)}
    if isinstance(tool_choice, dict):
        tool_choice = tool_choice.get("function", {}).get("name") or tool_choice.get("name")
        if not isinstance(tool_choice, str):
            raise ToolChoiceError("a tool_choice dict must name a function: "
                                  "{'type': 'function', 'function': {'name': ...}}")
    match tool_choice:
        case None | "auto":
            return Choices(tools=tuple(by_name.values()), answer=True)
        case "none":
            return Choices(tools=(), answer=True)
        case "any" | "required":
            if not by_name:
                raise ToolChoiceError(f"tool_choice={tool_choice!r} but no tool is allowed on this call")
            return Choices(tools=tuple(by_name.values()), answer=False)
        case str(name):
            if name not in by_name:
                where = "allowed on this call" if allowed_tools is not None else "bound"
                raise ToolChoiceError(f"tool_choice names {name!r}, which is not {where}; tools: {', '.join(by_name)}")
            return Choices(tools=(by_name[name],), answer=False)
    raise ToolChoiceError(f"tool_choice must be a string, a dict or None, not {type(tool_choice).__name__}")


def _check_known(names: Sequence[str], bound: dict[str, Any]) -> None:
    if isinstance(names, str):
        raise ToolChoiceError("allowed_tools must be a list of tool names, not one string")
    unknown = [n for n in names if n not in bound]
    if unknown:
        raise ToolChoiceError(f"allowed_tools names tools that are not bound: {', '.join(unknown)}; "
                              f"bound: {', '.join(bound)}")
