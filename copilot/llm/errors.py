"""Why a model gave no reply; one base class, so the agent can tell the operator instead of crashing."""

from __future__ import annotations


class LLMError(RuntimeError):
    """The model could not produce a reply; the message says why, in words an operator or admin can act on."""


class ModelUnavailable(LLMError):
    """The model endpoint did not answer, timed out, or refused the request."""


class ContextOverflow(LLMError, ValueError):
    """The conversation and the room for the reply do not fit the model's context window."""


class FormatRefused(ModelUnavailable):
    """The server refused the ``response_format`` of a constrained call; the message says what to set."""
