"""Bearer tokens for other programs (MCP clients), one per user and purpose: only a hash is kept, so the
state database holds nothing a thief could present; a token is shown once, when made, and can be revoked.
The token's user is the requester the policy and the audit log see."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from copilot.store.db import Location, Sql, Store

PREFIX = "pct_"  # recognisable in a leaked config file or a secret scanner

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS access_tokens (
            token_id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            hash TEXT NOT NULL,
            note TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            revoked_at DOUBLE PRECISION,
            last_used_at DOUBLE PRECISION
        )"""),
    ),
)


class UnknownToken(LookupError):
    """No token with that id."""


@dataclass(frozen=True)
class AccessToken:
    """One access token's record, never the token itself: whose it is, its note, and when it was
    created, revoked and last used."""

    token_id: str
    username: str
    note: str
    created_at: float
    revoked_at: float | None
    last_used_at: float | None


def _hash(secret: str) -> str:
    """A token is 32 random bytes: a plain SHA-256 of it cannot be searched back (a password would need bcrypt)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessTokens(Store):
    """The access tokens: created (the token shown once, kept as a hash), listed, revoked, and
    resolved to the user they stand for."""

    store, migrations = "access_tokens", _MIGRATIONS

    def __init__(self, location: Location) -> None:
        super().__init__(location)

    def create(self, username: str, note: str = "") -> tuple[AccessToken, str]:
        """A new token for ``username``: its record, and the token itself (shown this once)."""
        token_id = secrets.token_hex(4)
        secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = time.time()
        self._db.execute("INSERT INTO access_tokens VALUES (?,?,?,?,?,NULL,NULL)",
                         (token_id, username, _hash(secret), note, now))
        return self.get(token_id), secret

    def get(self, token_id: str) -> AccessToken:
        row = self._db.one("SELECT * FROM access_tokens WHERE token_id = ?", (token_id,))
        if row is None:
            raise UnknownToken(f"no token {token_id!r}; `plant-copilot mcp token list` shows them")
        return AccessToken(row["token_id"], row["username"], row["note"], row["created_at"], row["revoked_at"],
                           row["last_used_at"])

    def listed(self) -> list[AccessToken]:
        rows = self._db.all("SELECT token_id FROM access_tokens ORDER BY created_at")
        return [self.get(r["token_id"]) for r in rows]

    def revoke(self, token_id: str) -> AccessToken:
        token = self.get(token_id)
        self._db.execute("UPDATE access_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
                         (time.time(), token.token_id))
        return self.get(token_id)

    def user_of(self, secret: str) -> tuple[str | None, str]:
        """The user a presented token stands for, or None and why not (unknown, revoked)."""
        token_id = secret.removeprefix(PREFIX).split("_", 1)[0] if secret.startswith(PREFIX) else ""
        row = self._db.one("SELECT * FROM access_tokens WHERE token_id = ?", (token_id,))
        if row is None or not hmac.compare_digest(row["hash"], _hash(secret)):
            return None, "unknown token"
        if row["revoked_at"] is not None:
            return None, f"token {token_id} was revoked"
        self._db.execute("UPDATE access_tokens SET last_used_at = ? WHERE token_id = ?", (time.time(), token_id))
        return row["username"], f"token {token_id}"
