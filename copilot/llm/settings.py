"""Which model the copilot talks to, and how; from the environment.

Every field can be set as ``COPILOT_<FIELD>`` (e.g. ``COPILOT_PROVIDER=openai``,
``COPILOT_BASE_URL=http://127.0.0.1:8000/v1``). The API key is also read from
``OPENAI_API_KEY`` and the base URL from ``OPENAI_BASE_URL``, as the OpenAI
clients do. The key is a secret: it never appears in ``repr``, logs or errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from copilot.llm.response_format import ResponseFormat

Provider = Literal["local", "openai", "scripted", "replay", "none"]
ToolCallMode = Literal["auto", "native", "constrained"]


class LLMSettings(BaseSettings):
    """Which chat model the copilot talks to and how, from the ``COPILOT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="COPILOT_", extra="ignore", populate_by_name=True)

    provider: Provider = "local"
    """local: the embedded model on the CPU; openai: any OpenAI-compatible chat-completions endpoint;
    scripted: a fixed list of replies from ``script_file`` (tests and demos); replay: a recording of a model's
    replies from ``replay_file`` (evals, offline); none: no model at all, every procedure runs from its form."""

    tool_call_mode: ToolCallMode = "auto"
    """native: the endpoint's own tool calling; constrained: the reply is one JSON object per a schema
    (llama.cpp grammar locally, ``response_format`` json_schema on a server); auto: local → constrained,
    openai → native."""

    response_format: ResponseFormat = ResponseFormat.auto
    """How a constrained call asks a server for its reply schema: json_schema (OpenAI, vLLM, Ollama,
    llama-server), json_object_schema (llama-cpp-python's server), or auto: json_schema first, the other once
    if the server refuses it, remembered for the process (copilot/llm/response_format.py)."""

    base_url: str | None = Field(default=None, validation_alias=AliasChoices("COPILOT_BASE_URL", "OPENAI_BASE_URL"))
    model: str = "gpt-4o-mini"
    """The served model's name (openai provider)."""
    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("COPILOT_API_KEY", "OPENAI_API_KEY"))
    request_timeout_s: float = 120.0
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """JSON fields the server takes beyond the OpenAI protocol, sent with every request (openai provider), e.g.
    ``COPILOT_EXTRA_BODY='{"repeat_penalty": 1.0}'``: llama-cpp-python's server penalises repeats by 1.1 unless
    told, the embedded model by 1.0, and a JSON reply repeats quotes and braces."""

    temperature: float = 0.0
    max_tokens: int = 512

    model_dir: Path = Path("var/models")
    """Where the local model's GGUF file is joined from its weight packages and kept."""
    prefix_cache: bool = True
    """Keep the warmed-up system prompt and tools (their KV state) in ``model_dir``/prefix-cache, so the next
    process restores them in milliseconds instead of evaluating them again (minutes on 2 cores)."""
    n_ctx: int = 16384
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 1)
    n_batch: int = 512

    script_file: Path | None = None
    """The replies of the scripted provider (a JSON list, see copilot/llm/scripted.py)."""
    replay_file: Path | None = None
    """The recording the replay provider plays back (copilot/llm/replay.py)."""

    @property
    def constrained(self) -> bool:
        """Whether tool calls are constrained JSON rather than the endpoint's native tool calls."""
        if self.tool_call_mode == "auto":
            return self.provider == "local"
        return self.tool_call_mode == "constrained"
