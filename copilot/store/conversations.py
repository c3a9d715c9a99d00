"""The conversations: whose each one is, so an operator reopens their own; and which are running now, so
only one process runs a conversation at a time and a restart resumes those a dead process was running.
Their messages live in the checkpointer."""

from __future__ import annotations

import time

from pydantic import BaseModel

from copilot.store.db import Location, Sql, Store
from copilot.store.holders import is_gone, new_holder, release

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS conversations (
            thread_id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        )"""),
        Sql("""CREATE TABLE IF NOT EXISTS runs (
            thread_id TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            until DOUBLE PRECISION NOT NULL
        )"""),
    ),
)


class NotYourConversation(PermissionError):
    """The conversation belongs to another user."""


class Conversation(BaseModel):
    """A conversation: its thread, owner, title, and when it was created and last updated."""

    thread_id: str
    owner: str
    title: str
    created_at: float
    updated_at: float


class Conversations(Store):
    """Who owns each conversation, its title, and which process runs it now (a claim with a
    lease)."""

    store, migrations = "conversations", _MIGRATIONS

    def __init__(self, location: Location, *, run_lease_s: float = 900.0) -> None:
        """``run_lease_s``: how long a run's claim holds for another host (on this host a dead process's claim
        is seen at once)."""
        super().__init__(location)
        self._holder = new_holder()
        self._lease_s = run_lease_s

    def close(self) -> None:
        release(self._holder)
        super().close()

    def owner_of(self, thread_id: str) -> str | None:
        row = self._db.one("SELECT owner FROM conversations WHERE thread_id = ?", (thread_id,))
        return row["owner"] if row else None

    def check_owner(self, thread_id: str, username: str) -> None:
        """Raise NotYourConversation unless the conversation is new or ``username``'s."""
        owner = self.owner_of(thread_id)
        if owner is not None and owner != username:
            raise NotYourConversation(f"conversation {thread_id} is another user's; start a new one")

    def claim_run(self, thread_id: str) -> bool:
        """Take the conversation for a run in this process: free, already ours, or held by a process that is
        gone or whose lease ran out. False: another live process runs it now (two replicas that both see an
        approval resume it once: the key decides a new claim, the row's lock a stale one)."""
        now = time.time()
        with self._db.transaction() as tx:
            if tx.execute("INSERT INTO runs VALUES (?, ?, ?) ON CONFLICT (thread_id) DO NOTHING",
                          (thread_id, self._holder, now + self._lease_s)):
                return True
            row = tx.one("SELECT holder, until FROM runs WHERE thread_id = ?", (thread_id,), lock=True)
            free = row["holder"] == self._holder or row["until"] < now or is_gone(row["holder"])
            if free:
                tx.execute("UPDATE runs SET holder = ?, until = ? WHERE thread_id = ?",
                           (self._holder, now + self._lease_s, thread_id))
        return free

    def end_run(self, thread_id: str) -> None:
        """The run reached its end (an answer, or a wait for sign-off): nothing to resume after a restart."""
        self._db.execute("DELETE FROM runs WHERE thread_id = ? AND holder = ?", (thread_id, self._holder))

    def cut_off(self) -> list[str]:
        """Conversations whose run was cut off: claimed by a process that is gone, or whose lease ran out."""
        rows = self._db.all("SELECT thread_id, holder, until FROM runs")
        return [r["thread_id"] for r in rows if r["until"] < time.time() or is_gone(r["holder"])]

    def touch(self, thread_id: str, *, owner: str | None = None, title: str | None = None) -> None:
        """Create the conversation on its first request (titled by it); later, mark it as updated."""
        now = time.time()
        if owner is not None:
            self._db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO NOTHING",
                (thread_id, owner, (title or "")[:80], now, now),
            )
        self._db.execute("UPDATE conversations SET updated_at = ? WHERE thread_id = ?", (now, thread_id))

    def of(self, owner: str, *, limit: int = 50) -> list[Conversation]:
        rows = self._db.all("SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC LIMIT ?",
                            (owner, limit))
        return [Conversation(**dict(r)) for r in rows]
