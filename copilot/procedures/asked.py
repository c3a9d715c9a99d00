"""A request asked back about: the request, the question the copilot asked and the operator's reply, read as one
request; what in it the operator said."""

from __future__ import annotations

import re

__all__ = ["asked_back", "operators_words"]


def asked_back(request: str, question: str, reply: str) -> str:
    """A request, the question the copilot asked back about it and the operator's reply, as one request."""
    return f"{request}\n(I asked: {question})\n{reply}"


def operators_words(request: str) -> str:
    """A request without the copilot's own question in it: only what the operator said names a thing."""
    return re.sub(r"\n\(I asked: [^\n]*\)\n", "\n", request)
