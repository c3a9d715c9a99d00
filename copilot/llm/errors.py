"""Why a model gave no reply; one base class, so the agent can tell the operator instead of crashing."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class Outage(StrEnum):
    """Why no model answered: none is configured, it is down, or it was too slow."""

    off = "off"
    down = "down"
    slow = "slow"


class LLMError(RuntimeError):
    """The model could not produce a reply; the message says why, in words an operator or admin can act on."""


class ModelUnavailable(LLMError):
    """The model endpoint did not answer, timed out, or refused the request."""

    outage: ClassVar[Outage] = Outage.down


class ModelTimedOut(ModelUnavailable):
    """The model endpoint did not answer in time."""

    outage: ClassVar[Outage] = Outage.slow


class ModelOff(ModelUnavailable):
    """No model is configured (``COPILOT_PROVIDER=none``), or the process has none."""

    outage: ClassVar[Outage] = Outage.off


class ContextOverflow(LLMError, ValueError):
    """The conversation and the room for the reply do not fit the model's context window."""


class FormatRefused(ModelUnavailable):
    """The server refused the ``response_format`` of a constrained call; the message says what to set."""
