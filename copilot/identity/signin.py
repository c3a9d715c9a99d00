"""Signing in: a password checked against the users file, throttled per user name and per address.

After a few failures in a row, each further try waits longer (1 s, 2 s, 4 s … up to
15 minutes), so guessing a password takes months, not seconds, while a person who
mistypes waits a moment. The failures are kept in the state database, so the CLI (a
new process each time) and every app replica count them together. A wrong name and
a wrong password get the same answer, at the same cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from copilot.identity.users import User, UsersFile
from copilot.store.db import Location, Sql, Store

FREE_TRIES = 5  # failures before the waits begin
FORGET_AFTER_S = 3600.0  # a key's failures are forgotten after this long without one
LONGEST_WAIT_S = 900.0

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS sign_in_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_at DOUBLE PRECISION NOT NULL,
            locked_until DOUBLE PRECISION NOT NULL
        )"""),
    ),
)


class SignInRefused(PermissionError):
    """The sign-in did not succeed; the message says why in words a person can act on."""


class SignIn(Store):
    """Password sign-in against the users file, with waits after failed tries per user and per address
    kept in the state database."""

    store, migrations = "signin", _MIGRATIONS

    def __init__(self, users: UsersFile, state_db: Location, *,
                 on_refused: Callable[[str, str, str], None] | None = None) -> None:
        """``on_refused(username, why, address)``: told of every refused sign-in (the audit log's refusals)."""
        super().__init__(state_db)
        self.users = users
        self._on_refused = on_refused

    def check(self, username: str, password: str, *, address: str) -> User:
        """The user whose name and password these are; SignInRefused otherwise, or while a wait is on.
        ``address``: where the try comes from (the browser's IP, or ``cli:<account>``)."""
        keys = [f"user:{username.strip().casefold()}", f"address:{address}"]
        wait = self._wait(keys)
        if wait > 0:
            raise self._refused(username, f"too many failed sign-ins; try again in {math.ceil(wait)} s", address)
        user = self.users.current().authenticate(username.strip(), password)
        if user is None:
            self._failed(keys)
            raise self._refused(username, "wrong user name or password", address)
        self._db.execute("DELETE FROM sign_in_failures WHERE key = ?", (keys[0],))
        return user

    def _refused(self, username: str, why: str, address: str) -> SignInRefused:
        if self._on_refused is not None:
            self._on_refused(username.strip()[:64] or "unknown", why.split(";")[0], address)
        return SignInRefused(why)

    def _wait(self, keys: list[str]) -> float:
        now = time.time()
        rows = self._db.all(f"SELECT locked_until FROM sign_in_failures WHERE key IN ({','.join('?' * len(keys))})",
                            keys)
        return max((r["locked_until"] - now for r in rows), default=0.0)

    def _failed(self, keys: list[str]) -> None:
        now = time.time()
        for key in keys:  # each count taken under its row's lock: replicas failing at once add up
            with self._db.transaction() as tx:
                tx.execute("INSERT INTO sign_in_failures VALUES (?, 0, ?, ?) ON CONFLICT (key) DO NOTHING",
                           (key, now, now))
                row = tx.one("SELECT failures, last_at FROM sign_in_failures WHERE key = ?", (key,), lock=True)
                failures = 1 if now - row["last_at"] > FORGET_AFTER_S else row["failures"] + 1
                wait = 0.0 if failures < FREE_TRIES else min(2.0 ** (failures - FREE_TRIES), LONGEST_WAIT_S)
                tx.execute("UPDATE sign_in_failures SET failures = ?, last_at = ?, locked_until = ? WHERE key = ?",
                           (failures, now, now + wait, key))
