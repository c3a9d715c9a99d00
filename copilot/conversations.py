"""The list of conversations, so an operator can reopen one; their messages live in the checkpointer."""

from __future__ import annotations

import time

from pydantic import BaseModel

from copilot.db import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
"""


class Conversation(BaseModel):
    thread_id: str
    owner: str
    title: str
    created_at: float
    updated_at: float


class Conversations:
    def __init__(self, path) -> None:
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

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
