"""Reading an OpenAI-compatible chat-completions stream into LangChain chunks.

Answer text is sent as it comes (in constrained mode only the words of an ``answer`` reply, pulled out of
its JSON); tool-call deltas are gathered and sent, checked, in the last chunk, so a call reaches the graph
only once its arguments are complete JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGenerationChunk

from copilot.llm.answer_stream import AnswerStream
from copilot.llm.choice import ANSWER, Choices, ToolChoice, choices
from copilot.llm.constrained import calling_chunk, final_chunk, to_message
from copilot.llm.errors import ModelUnavailable


class StreamReader:
    """Turns the endpoint's stream into LangChain chunks: text at once, tool calls once complete."""

    def __init__(self, where: str, constrained: bool, tools: Sequence[dict[str, Any]] | None,
                 tool_choice: ToolChoice, allowed_tools: Sequence[str] | None) -> None:
        """``where``: the endpoint and model, as errors name them; ``constrained``: the model's tool-call mode
        (it applies only when tools are bound)."""
        self.where = where
        self.specs = list(tools or [])
        self.allowed = choices(self.specs, tool_choice, allowed_tools) if self.specs else None
        self.constrained = constrained and self.allowed is not None
        self.answer = AnswerStream()
        self.text: list[str] = []
        self.streamed: list[str] = []
        self.calls: dict[int, dict[str, str]] = {}
        self.name: str | None = None  # the reply's name (its first call's, or answer), once known and told
        self.finish_reason: str | None = None
        self.model_name: str | None = None
        self.usage: Any = None

    def read(self, part: Any) -> list[ChatGenerationChunk]:
        """The chunks one streamed part gives now: the tool's name once known, then any answer text."""
        self.model_name = part.model or self.model_name
        self.usage = part.usage or self.usage
        if not part.choices:
            return []
        choice = part.choices[0]
        self.finish_reason = choice.finish_reason or self.finish_reason
        delta = choice.delta
        for call in delta.tool_calls or []:
            slot = self.calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] = call.id or slot["id"]
            if call.function:
                slot["name"] += call.function.name or ""
                slot["arguments"] += call.function.arguments or ""
        shown = ""
        if delta.content:
            self.text.append(delta.content)
            shown = self.answer.feed(delta.content) if self.constrained else delta.content
        chunks = [calling] if (calling := self._calling()) else []
        if shown:
            self.streamed.append(shown)
            chunks.append(ChatGenerationChunk(message=AIMessageChunk(content=shown)))
        return chunks

    def _calling(self) -> ChatGenerationChunk | None:
        """The chunk that tells which tool the reply calls, the first time its name is known."""
        if self.name is not None:
            return None
        self.name = self.answer.name if self.constrained else next(
            (c["name"] for _, c in sorted(self.calls.items()) if c["name"]), None)
        return calling_chunk(self.name) if self.name not in (None, ANSWER) else None

    def last(self) -> ChatGenerationChunk:
        """The whole reply as the last chunk, with its checked tool calls, finish reason and token usage;
        :class:`ModelUnavailable` when the stream ended before the reply was finished."""
        if self.finish_reason is None:
            raise ModelUnavailable(
                f"{self.where} ended the reply stream before the reply was finished (no finish_reason); "
                "llama-cpp-python's server cuts a stream short when another request arrives unless it is started "
                "with --interrupt_requests False")
        text = "".join(self.text)
        if self.constrained:
            message = to_message(text, self.allowed, strict=True)
        else:
            message = _native_message(text, list(self.calls.values()), self.allowed)
        chunk = final_chunk(message, streamed="".join(self.streamed))
        chunk.response_metadata = {**chunk.response_metadata, "model_name": self.model_name,
                                   "finish_reason": self.finish_reason}
        if self.usage is not None:
            details = getattr(self.usage, "prompt_tokens_details", None)
            chunk.usage_metadata = {
                "input_tokens": self.usage.prompt_tokens,
                "output_tokens": self.usage.completion_tokens,
                "total_tokens": self.usage.total_tokens,
                "input_token_details": {"cache_read": getattr(details, "cached_tokens", None) or 0},
            }
        return ChatGenerationChunk(message=chunk)


def _native_message(text: str, calls: list[dict[str, str]], allowed: Choices | None) -> AIMessage:
    """The endpoint's tool calls, each checked: complete JSON arguments, and a tool allowed on this call."""
    good, bad = [], []
    names = allowed.names if allowed else []
    for call in calls:
        try:
            args = json.loads(call["arguments"] or "{}")
        except json.JSONDecodeError as exc:
            bad.append(invalid_tool_call(name=call["name"], args=call["arguments"], id=call["id"] or None,
                                         error=f"arguments are not valid JSON ({exc.msg} at character {exc.pos})"))
            continue
        if not isinstance(args, dict):
            bad.append(invalid_tool_call(name=call["name"], args=call["arguments"], id=call["id"] or None,
                                         error="arguments must be a JSON object"))
        elif call["name"] not in names:
            bad.append(invalid_tool_call(name=call["name"], args=call["arguments"], id=call["id"] or None,
                                         error=f"{call['name']!r} is not available now; tools: {', '.join(names)}"))
        else:
            good.append(tool_call(name=call["name"], args=args, id=call["id"] or None))
    return AIMessage(content=text, tool_calls=good, invalid_tool_calls=bad)
