"""A chat model that plays a fixed script of replies: for tests of the graph, and for demos without a model.

The reply is chosen by how many assistant messages the model wrote in the conversation
so far (a procedure's own calls and answers are not the model's), so a conversation
resumed in another process continues the script where it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import BaseModel

from copilot.procedures.run import AUTHOR


class ScriptedReply(BaseModel):
    """One reply of the scripted model: its text and its tool calls."""

    content: str = ""
    tool_calls: list[dict[str, Any]] = []  # {"name": ..., "args": {...}}


class ScriptExhausted(RuntimeError):
    """The conversation asked for more replies than the script has."""


class ScriptedChatModel(BaseChatModel):
    """A chat model that gives its ``replies`` in order, one per reply of its own in the
    conversation so far; :class:`ScriptExhausted` past the last. ``narrowed``: a reply that calls a tool the
    call's ``allowed_tools`` leave out is passed over for the next reply they allow, as a constrained decoder
    could not write it."""

    replies: list[ScriptedReply]
    narrowed: bool = False

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedChatModel:
        return cls(replies=[ScriptedReply.model_validate(r) for r in json.loads(Path(path).read_text())])

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kw: Any) -> ChatResult:
        index = sum(isinstance(m, AIMessage) and m.name != AUTHOR for m in messages)
        if index >= len(self.replies):
            raise ScriptExhausted(f"the script has {len(self.replies)} replies; reply {index + 1} was asked for")
        allowed = kw.get("allowed_tools")
        if self.narrowed and allowed is not None:
            index = next((i for i in range(index, len(self.replies))
                          if all(c["name"] in allowed for c in self.replies[i].tool_calls)), index)
        reply = self.replies[index]
        calls = [
            {"name": c["name"], "args": c.get("args", {}), "id": f"s{index}_{i}", "type": "tool_call"}
            for i, c in enumerate(reply.tool_calls)
        ]
        message = AIMessage(content=reply.content, tool_calls=calls)
        return ChatResult(generations=[ChatGeneration(message=message)])
