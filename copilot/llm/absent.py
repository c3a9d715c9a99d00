"""The model of a process that needs none: the MCP server runs its callers' own tool calls through the gate,
so nothing in it should ever ask a model; if something does, it fails as a model that is down would."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from copilot.llm.errors import ModelOff


class NoModel(BaseChatModel):
    """The chat model of a process that has none: it binds any tools, and every call raises
    :class:`~copilot.llm.errors.ModelOff` (a model unavailable) with ``why``."""

    why: str = "this process runs tool calls its callers make and has no model"

    @property
    def _llm_type(self) -> str:
        return "none"

    def bind_tools(self, tools: Any, **kwargs: Any) -> NoModel:
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None,
                  **kw: Any) -> ChatResult:
        raise ModelOff(self.why)
