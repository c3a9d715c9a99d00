"""The app's sessions, kept server-side: signing out ends one everywhere, and nothing in a browser outlives it.

A session belongs to one signed-in person and lasts one shift at most. It has secrets of three kinds: the *page*
secret the app keeps for the browser tab that signed in; a one-time *handoff* code, good for ``HANDOFF_S`` seconds,
that the browser trades at the app's ``/_session/open`` route for the *cookie* secret (set there as an HttpOnly
cookie, so no script ever reads it). Only a keyed digest of each secret is stored, under a key derived from the
audit key, kept outside the data folder: whoever reads the database cannot use a row, and whoever writes it cannot
make one that signs anybody in. Ending a session (signing out) kills all its secrets at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from copilot.identity.keys import key_from
from copilot.identity.users import User, UserDirectory
from copilot.store.db import Location, Sql, Store

if TYPE_CHECKING:
    from copilot.settings import CopilotSettings

__all__ = ["HANDOFF_S", "SESSION_HOURS", "AppSessions", "OpenedSession", "SecretKind"]

SESSION_HOURS = 8.0  # one shift
HANDOFF_S = 60.0

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS app_sessions (
            session_id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            opened_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            ended_at DOUBLE PRECISION
        )"""),
        Sql("""CREATE TABLE IF NOT EXISTS app_session_secrets (
            digest TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            made_at DOUBLE PRECISION NOT NULL,
            used_at DOUBLE PRECISION
        )"""),
    ),
)


class SecretKind(StrEnum):
    """What a session's secret is for."""

    page = "page"  # kept by the app for the tab that signed in
    handoff = "handoff"  # traded once, within HANDOFF_S, for the cookie
    cookie = "cookie"  # the browser's HttpOnly cookie


@dataclass(frozen=True)
class OpenedSession:
    """A new session's page secret and the one-time code its browser trades for the cookie."""

    page_secret: str
    handoff_code: str


class AppSessions(Store):
    """Server-side sessions of the app in the state database, their secrets stored as keyed digests."""

    store, migrations = "app_sessions", _MIGRATIONS

    def __init__(self, location: Location, *, key: bytes) -> None:
        """``key``: a secret kept outside the data folder (the audit key); sessions use a key derived from it."""
        super().__init__(location)
        self._key = hmac.new(key, b"plant-copilot app sessions", hashlib.sha256).digest()

    @classmethod
    def of(cls, settings: CopilotSettings) -> AppSessions:
        """The sessions of these settings: in their state database, keyed from their audit key."""
        return cls(settings.state_db, key=key_from(settings.audit_key, settings.audit_key_file))

    def _digest(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()

    def _secret(self, tx, session_id: str, kind: SecretKind, now: float) -> str:
        secret = secrets.token_urlsafe(32)
        tx.execute("INSERT INTO app_session_secrets VALUES (?, ?, ?, ?, NULL)",
                   (self._digest(secret), session_id, kind, now))
        return secret

    def open(self, username: str, *, hours: float = SESSION_HOURS) -> OpenedSession:
        """A new session of ``username`` (already signed in with their password)."""
        now = time.time()
        session_id = uuid.uuid4().hex
        with self._db.transaction() as tx:
            tx.execute("INSERT INTO app_sessions VALUES (?, ?, ?, ?, NULL)",
                       (session_id, username, now, now + hours * 3600))
            return OpenedSession(self._secret(tx, session_id, SecretKind.page, now),
                                 self._secret(tx, session_id, SecretKind.handoff, now))

    def cookie_for(self, handoff_code: str) -> tuple[str, float] | None:
        """The cookie secret and its lifetime in seconds for a handoff code, once: None when the code is unknown,
        used, older than ``HANDOFF_S`` or of an ended session."""
        now = time.time()
        with self._db.transaction() as tx:
            row = tx.one("SELECT s.session_id, s.expires_at, k.made_at, k.used_at FROM app_session_secrets k "
                         "JOIN app_sessions s ON s.session_id = k.session_id "
                         "WHERE k.digest = ? AND k.kind = ? AND s.ended_at IS NULL",
                         (self._digest(handoff_code), SecretKind.handoff), lock=True)
            if row is None or row["used_at"] is not None or now - row["made_at"] > HANDOFF_S \
                    or row["expires_at"] <= now:
                return None
            tx.execute("UPDATE app_session_secrets SET used_at = ? WHERE digest = ?",
                       (now, self._digest(handoff_code)))
            return self._secret(tx, row["session_id"], SecretKind.cookie, now), row["expires_at"] - now

    def holder(self, secret: str | None, users: UserDirectory, *, kind: SecretKind) -> User | None:
        """The person whose live session ``secret`` (of ``kind``) belongs to, as the users file has them now;
        None when it is unknown, ended, expired, or their account cannot sign in (a service account)."""
        if not secret:
            return None
        row = self._db.one("SELECT s.username FROM app_session_secrets k JOIN app_sessions s "
                           "ON s.session_id = k.session_id WHERE k.digest = ? AND k.kind = ? "
                           "AND s.ended_at IS NULL AND s.expires_at > ?", (self._digest(secret), kind, time.time()))
        return users.person(row["username"]) if row else None

    def end(self, secret: str | None) -> None:
        """End the session ``secret`` (of any kind) belongs to: none of its secrets signs anyone in again."""
        if secret:
            self._db.execute("UPDATE app_sessions SET ended_at = ? WHERE ended_at IS NULL AND session_id = "
                             "(SELECT session_id FROM app_session_secrets WHERE digest = ?)",
                             (time.time(), self._digest(secret)))
