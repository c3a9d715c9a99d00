"""What the copilot needs of a chat model, as the faces name it: tools bound to it, and calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ChatModel(Protocol):
    """A chat model with tool calling (every model :func:`~copilot.llm.make_chat_model` makes is one)."""

    def bind_tools(self, tools: Sequence[dict[str, Any]], **kwargs: Any) -> Any: ...

    async def ainvoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any: ...
