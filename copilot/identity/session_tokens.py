"""A signed, expiring token that names a signed-in user, so the app keeps a session across a browser refresh.

The token is ``<payload>.<HMAC-SHA256>``; the key comes from ``COPILOT_SESSION_KEY``, or (for the demo) a
random key the copilot writes once, readable by its own account only, into its data folder. On a shared
PostgreSQL database (several app replicas) the key must be set: every replica signs with the same one, and a
signing key is a secret of the deployment, not a row beside the data it guards (whoever reads the database
could then sign in as anyone). A token whose
signature does not match, that has expired, or whose user the users file no longer has, is worth nothing;
the user's role is always read from the users file, never from the token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

from copilot.identity.keys import key_from
from copilot.identity.users import User, UserDirectory

SESSION_HOURS = 8.0  # one shift


class SessionKeyMissing(RuntimeError):
    """Several replicas share one database but no session key was configured for them all."""


def session_key(configured: str | None, data_dir: Path, *, database_url: str | None = None) -> bytes:
    """The configured key, or the data folder's own (one machine: SQLite in the data folder)."""
    if not configured and database_url:
        raise SessionKeyMissing("COPILOT_SESSION_KEY is not set, and COPILOT_DATABASE_URL puts the state on a "
                                "shared database: set COPILOT_SESSION_KEY (e.g. `openssl rand -hex 32`) to the same "
                                "value for every app replica")
    return key_from(configured, data_dir / "session.key")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _sign(key: bytes, payload: str) -> str:
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def issue(key: bytes, username: str, *, hours: float = SESSION_HOURS, now: float | None = None) -> str:
    """A session token for ``username``, signed with ``key``, that expires ``hours`` after ``now``
    (default: the current time)."""
    issued = time.time() if now is None else now
    payload = _b64(json.dumps({"u": username, "exp": issued + hours * 3600}).encode())
    return f"{payload}.{_sign(key, payload)}"


def holder(key: bytes, token: str | None, users: UserDirectory, *, now: float | None = None) -> User | None:
    """The person a token names, if it is genuine, unexpired and they still exist; otherwise None (a process's
    account, such as the monitor's, never has a session, even with a genuine token)."""
    payload, _, signature = (token or "").partition(".")
    if not payload or not hmac.compare_digest(signature, _sign(key, payload)):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    expires = claims.get("exp") if isinstance(claims, dict) else None
    if not isinstance(expires, int | float) or expires < (time.time() if now is None else now):
        return None
    return users.person(str(claims.get("u", "")))
