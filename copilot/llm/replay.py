"""Recorded model replies: record what any model answered, and play it back offline.

``ReplyRecorder`` is a LangChain callback: attached to any chat model it keeps
each reply (words, tool calls, invalid calls, token usage, seconds). A
``ReplayChatModel`` plays such a recording back in order, so a scenario runs
again with no model, deterministically and fast. The graph gives calls its own
ids, so a recording holds only what the model chose. A run that asks for more
replies than were recorded has changed since the recording (a new prompt, rule
or tool): ``ReplayExhausted`` says so, and the graph tells the operator, as for
any model failure.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGeneration, ChatResult, LLMResult
from pydantic import BaseModel

from copilot.llm.errors import LLMError


class RecordedReply(BaseModel):
    """One recorded model reply: its text, tool calls (valid and invalid), token usage and duration."""

    content: str = ""
    tool_calls: list[dict[str, Any]] = []  # {"name", "args"}
    invalid_tool_calls: list[dict[str, Any]] = []  # {"name", "args", "error"}
    usage: dict[str, Any] = {}
    seconds: float = 0.0


class Recording(BaseModel):
    """One run's model replies, in order, and the model that gave them."""

    model: str = ""
    constrained: bool = False
    replies: list[RecordedReply] = []

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


class ReplayExhausted(LLMError):
    """The run asked for more model replies than the recording holds: it no longer matches the recording."""


class ReplyRecorder(BaseCallbackHandler):
    """Keeps every reply of the chat model it is attached to (``model.model_copy(update={"callbacks": [r]})``)."""

    def __init__(self) -> None:
        self.replies: list[RecordedReply] = []
        self._started: dict[UUID, float] = {}

    def on_chat_model_start(self, serialized: Any, messages: list[list[BaseMessage]], *, run_id: UUID,
                            **kw: Any) -> None:
        self._started[run_id] = time.perf_counter()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kw: Any) -> None:
        seconds = time.perf_counter() - self._started.pop(run_id, time.perf_counter())
        generation = response.generations[0][0]
        message = generation.message if isinstance(generation, ChatGeneration) else AIMessage(content=generation.text)
        self.replies.append(RecordedReply(
            content=message.text,
            tool_calls=[{"name": c["name"], "args": c["args"]} for c in getattr(message, "tool_calls", [])],
            invalid_tool_calls=[{"name": c.get("name"), "args": c.get("args"), "error": c.get("error")}
                                for c in getattr(message, "invalid_tool_calls", [])],
            usage=dict(getattr(message, "usage_metadata", None) or {}),
            seconds=round(seconds, 3),
        ))

    def recording(self, model: BaseChatModel) -> Recording:
        return Recording(model=model_name(model), constrained=bool(getattr(model, "constrained", False)),
                         replies=self.replies)


class ReplayChatModel(BaseChatModel):
    """Plays a recording back, one reply per call, whatever it is asked."""

    recording: Recording
    constrained: bool = False  # as the recorded model was: the agent plans first for constrained models
    played: int = 0

    @classmethod
    def of(cls, recording: Recording) -> ReplayChatModel:
        return cls(recording=recording, constrained=recording.constrained)

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayChatModel:
        return cls.of(Recording.load(path))

    @property
    def _llm_type(self) -> str:
        return "replay"

    @property
    def exhausted(self) -> bool:
        return self.played > len(self.recording.replies)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ReplayChatModel:
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kw: Any) -> ChatResult:
        index = self.played
        self.played += 1
        if index >= len(self.recording.replies):
            raise ReplayExhausted(
                f"the recording of {self.recording.model or 'the model'} has {len(self.recording.replies)} replies "
                f"and reply {index + 1} was asked for: the run no longer follows the recording; record it again"
            )
        reply = self.recording.replies[index]
        message = AIMessage(
            content=reply.content,
            tool_calls=[tool_call(name=c["name"], args=c["args"], id=f"r{index}_{i}")
                        for i, c in enumerate(reply.tool_calls)],
            invalid_tool_calls=[invalid_tool_call(name=c.get("name"), args=c.get("args"), error=c.get("error"),
                                                  id=f"r{index}_bad{i}")
                                for i, c in enumerate(reply.invalid_tool_calls)],
            usage_metadata=reply.usage or None,
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


def model_name(model: BaseChatModel) -> str:
    """The name a model gives of itself (the served model, the GGUF), for recordings and reports."""
    params = getattr(model, "_identifying_params", {}) or {}
    return str(params.get("model") or getattr(model, "model", "") or model._llm_type)
