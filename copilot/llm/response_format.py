"""How a constrained call asks a server for a reply that fits a JSON schema: the dialects servers accept.

Servers differ in how they take a schema for the reply. OpenAI, vLLM, Ollama and
llama.cpp's own ``llama-server`` accept the standard
``{"type": "json_schema", "json_schema": {"name": ..., "schema": ...}}``;
llama-cpp-python's server (``python -m llama_cpp.server``) refuses it (HTTP 500,
"Input should be 'text' or 'json_object'") and takes
``{"type": "json_object", "schema": ...}`` instead. Both reach the same grammar.

``auto`` tries the standard dialect first and, only when the server refuses it
(HTTP 400, 422 or 500 before any token), the other once; the dialect that
worked is remembered for that endpoint for the rest of the process, so the
cost is one refused request per process. The order matters: a server that
merely ignores the unknown ``schema`` key of ``json_object`` (vLLM does) would
accept the fallback and answer unconstrained, so the fallback is never first.
A later failure on a remembered dialect is an ordinary error, not a reason to
switch again.
"""

from __future__ import annotations

import threading
from enum import StrEnum
from typing import Any


class ResponseFormat(StrEnum):
    """How a constrained call asks a server for its reply schema; ``auto`` tries the dialects in turn."""

    auto = "auto"
    json_schema = "json_schema"
    """``{"type": "json_schema", "json_schema": {...}}``: OpenAI, vLLM, Ollama, llama.cpp ``llama-server``."""
    json_object_schema = "json_object_schema"
    """``{"type": "json_object", "schema": {...}}``: llama-cpp-python's server."""


REFUSAL_STATUSES = frozenset({400, 422, 500})
"""HTTP statuses with which servers refuse a request body they do not understand (500: llama-cpp-python)."""

_FALLBACK_ORDER = (ResponseFormat.json_schema, ResponseFormat.json_object_schema)


def reply_format(dialect: ResponseFormat, schema: dict[str, Any]) -> dict[str, Any]:
    """The request's ``response_format`` asking for a reply that fits ``schema``, in ``dialect``."""
    match dialect:
        case ResponseFormat.json_schema:
            return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}}
        case ResponseFormat.json_object_schema:
            return {"type": "json_object", "schema": schema}
    raise ValueError(f"{dialect!r} is not a dialect to send: Dialects.to_try resolves auto to those to send")


class Dialects:
    """Which dialect each endpoint accepted, for the process; shared by every model talking to it."""

    def __init__(self) -> None:
        self._learned: dict[str, ResponseFormat] = {}
        self._lock = threading.Lock()

    def to_try(self, setting: ResponseFormat, endpoint: str) -> tuple[ResponseFormat, ...]:
        """The dialects to send, in order: the one set, the one learned, or both for ``auto``."""
        if setting is not ResponseFormat.auto:
            return (setting,)
        with self._lock:
            learned = self._learned.get(endpoint)
        return (learned,) if learned else _FALLBACK_ORDER

    def accepted(self, endpoint: str, dialect: ResponseFormat) -> None:
        with self._lock:
            self._learned[endpoint] = dialect


DIALECTS = Dialects()
"""The process's memory of what each endpoint accepted."""
