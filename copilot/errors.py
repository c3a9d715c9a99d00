"""The copilot's own errors: one family, each message a line a person can act on."""

from __future__ import annotations


class CopilotError(Exception):
    """Something the copilot refused or could not do; the message says what and why."""


class RequestRejected(CopilotError, ValueError):
    """A request the copilot does not take (empty, too long, an unknown tool or action); the message says why."""


class ConversationBusy(CopilotError, RuntimeError):
    """The conversation waits for a decision or is running elsewhere; it cannot take a new request now."""
