"""Warming a model up: paying for the system prompt and tool list once, at start, not on the first request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage


@dataclass(frozen=True)
class WarmUp:
    """How many prompt tokens the warm-up covered, how long it took (loading the model included, if it did),
    and how: "evaluated", "restored" (a local model's saved prefix state), "cached" (already warm), "sent"."""

    prefix_tokens: int
    seconds: float
    how: str


def warm_up(model: BaseChatModel, system_prompt: str, tools: Sequence[Any] = (),
            shots: Sequence[BaseMessage] = ()) -> WarmUp | None:
    """Warm ``model`` up with exactly the prefix its real calls start with; None for models with nothing to warm
    (scripted ones). Give the same system prompt, tools and example turns the agent uses, or the cached prefix
    will not match."""
    method = getattr(model, "warm_up", None)
    return method(system_prompt, tools, shots) if method else None
