"""Sign-in for a face (the app, the CLI, a stdio MCP server): each refused try goes to the audit log, counted."""

from __future__ import annotations

from copilot.identity import SignIn, UsersFile
from copilot.settings import CopilotSettings
from copilot.store.approvals import Origin
from copilot.store.audit import AuditLog
from copilot.store.refusals import Refusals

__all__ = ["RecordedSignIn"]


class RecordedSignIn(SignIn):
    """The users file's passwords, throttled (``SignIn``); a refused try is a ``refusal`` in the audit log, a flood
    of them one record with its count. ``close()`` writes the counts still held."""

    def __init__(self, settings: CopilotSettings, *, via: Origin = Origin.chat) -> None:
        self._audit = AuditLog.of(settings)
        self._refusals = Refusals(self._audit)
        super().__init__(UsersFile(settings.users_file), settings.state_db,
                         on_refused=lambda name, why, address: self._refusals.record(name, why, via=via,
                                                                                     address=address))

    def close(self) -> None:
        self._refusals.flush()
        self._audit.close()
        super().close()
