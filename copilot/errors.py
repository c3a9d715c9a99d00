"""The copilot's own errors: one family, each message a line a person can act on."""

from __future__ import annotations


class CopilotError(Exception):
    """Something the copilot refused or could not do; the message says what and why."""


class RequestRejected(CopilotError, ValueError):
    """A request the copilot does not take (empty, too long, an unknown tool or action); the message says why."""


class FormRejected(RequestRejected):
    """A form's values that cannot run: ``problems`` has one line per bad field; nothing was run or kept."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class ConversationBusy(CopilotError, RuntimeError):
    """The conversation waits for a decision or is running elsewhere; it cannot take a new request now."""


class ReleaseError(CopilotError, ValueError):
    """A release command that cannot be done as asked (an unknown or ambiguous id, an unreadable eval report or
    thresholds file, a release that falls short); the message says what and why, in one line."""


class ReleaseRefused(CopilotError, RuntimeError):
    """A copilot whose configuration is not the site's promoted release, started without leave to run
    unreleased; the message names the files that differ and what to do."""
