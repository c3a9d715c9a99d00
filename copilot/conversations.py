"""The conversations: whose each one is, so an operator reopens their own; and which are running now, so
only one process runs a conversation at a time and a restart resumes those a dead process was running.
Their messages live in the checkpointer."""

from __future__ import annotations

import time

from pydantic import BaseModel

from copilot.db import connect, transaction
from copilot.holders import is_gone, new_holder, release

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    thread_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until REAL NOT NULL
);
"""


class NotYourConversation(PermissionError):
    """The conversation belongs to another user."""


class Conversation(BaseModel):
    thread_id: str
    owner: str
    title: str
    created_at: float
    updated_at: float


class Conversations:
    def __init__(self, path, *, run_lease_s: float = 900.0) -> None:
        """``run_lease_s``: how long a run's claim holds for another host (on this host a dead process's claim
        is seen at once)."""
        self._db = connect(path)
        self._db.executescript(_SCHEMA)
        self._holder = new_holder()
        self._lease_s = run_lease_s

    def close(self) -> None:
        release(self._holder)
        self._db.close()

    def owner_of(self, thread_id: str) -> str | None:
        row = self._db.execute("SELECT owner FROM conversations WHERE thread_id = ?", (thread_id,)).fetchone()
        return row["owner"] if row else None

    def check_owner(self, thread_id: str, username: str) -> None:
        """Raise NotYourConversation unless the conversation is new or ``username``'s."""
        owner = self.owner_of(thread_id)
        if owner is not None and owner != username:
            raise NotYourConversation(f"conversation {thread_id} is another user's; start a new one")

    def claim_run(self, thread_id: str) -> bool:
        """Take the conversation for a run in this process: free, already ours, or held by a process that is
        gone or whose lease ran out. False: another live process runs it now."""
        now = time.time()
        with transaction(self._db):
            row = self._db.execute("SELECT holder, until FROM runs WHERE thread_id = ?", (thread_id,)).fetchone()
            free = row is None or row["holder"] == self._holder or row["until"] < now or is_gone(row["holder"])
            if free:
                self._db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)",
                                 (thread_id, self._holder, now + self._lease_s))
        return free

    def end_run(self, thread_id: str) -> None:
        """The run reached its end (an answer, or a wait for sign-off): nothing to resume after a restart."""
        self._db.execute("DELETE FROM runs WHERE thread_id = ? AND holder = ?", (thread_id, self._holder))

    def cut_off(self) -> list[str]:
        """Conversations whose run was cut off: claimed by a process that is gone, or whose lease ran out."""
        rows = self._db.execute("SELECT thread_id, holder, until FROM runs").fetchall()
        return [r["thread_id"] for r in rows if r["until"] < time.time() or is_gone(r["holder"])]

    def touch(self, thread_id: str, *, owner: str | None = None, title: str | None = None) -> None:
        """Create the conversation on its first request (titled by it); later, mark it as updated."""
        now = time.time()
        if owner is not None:
            self._db.execute(
                "INSERT OR IGNORE INTO conversations VALUES (?, ?, ?, ?, ?)",
                (thread_id, owner, (title or "")[:80], now, now),
            )
        self._db.execute("UPDATE conversations SET updated_at = ? WHERE thread_id = ?", (now, thread_id))

    def of(self, owner: str, *, limit: int = 50) -> list[Conversation]:
        rows = self._db.execute(
            "SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC LIMIT ?", (owner, limit)
        ).fetchall()
        return [Conversation(**dict(r)) for r in rows]
