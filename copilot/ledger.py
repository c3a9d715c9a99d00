"""The record of what ran, so an action runs once even across crashes and resumes.

Before a tool runs, its action id is written as ``started``; after, its result as
``done``. A resumed node that finds ``done`` returns the stored result instead of
running again. One that finds ``started`` (the process died mid-run) runs again
with the same idempotency key, which the ERP/MES use to return the first record;
a PLC write is an absolute value, so repeating it lands on the same value.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from copilot.db import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    action_id TEXT PRIMARY KEY,
    tool TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
    attempts INTEGER NOT NULL,
    result TEXT,
    started_at REAL NOT NULL,
    finished_at REAL
);
"""


@dataclass(frozen=True)
class Outcome:
    """What a run produced, and whether it was this call that ran it."""

    status: str  # done | failed
    result: Any
    fresh: bool
    attempts: int


class ExecutionLedger:
    def __init__(self, path) -> None:
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def lookup(self, action_id: str) -> Outcome | None:
        row = self._db.execute("SELECT * FROM executions WHERE action_id = ?", (action_id,)).fetchone()
        if row is None or row["status"] == "started":
            return None
        return Outcome(row["status"], json.loads(row["result"]), fresh=False, attempts=row["attempts"])

    def executed(self) -> list[str]:
        """The ids of every action that ran to completion."""
        return [r[0] for r in self._db.execute("SELECT action_id FROM executions WHERE status = 'done'")]

    async def run_once(
        self, action_id: str, tool: str, run: Callable[[], Awaitable[Any]], *, errors: tuple[type[BaseException], ...]
    ) -> Outcome:
        """Run ``run`` unless this action already finished; ``errors`` are stored as a failed outcome."""
        if (done := self.lookup(action_id)) is not None:
            return done
        self._db.execute(
            "INSERT INTO executions VALUES (?, ?, 'started', 1, NULL, ?, NULL) "
            "ON CONFLICT(action_id) DO UPDATE SET attempts = attempts + 1",
            (action_id, tool, time.time()),
        )
        try:
            result = await run()
        except errors as exc:
            return self._finish(action_id, "failed", {"error": type(exc).__name__, "message": str(exc)})
        return self._finish(action_id, "done", result)

    def _finish(self, action_id: str, status: str, result: Any) -> Outcome:
        self._db.execute(
            "UPDATE executions SET status = ?, result = ?, finished_at = ? WHERE action_id = ?",
            (status, json.dumps(result, default=str), time.time(), action_id),
        )
        attempts = self._db.execute("SELECT attempts FROM executions WHERE action_id = ?", (action_id,)).fetchone()[0]
        return Outcome(status, result, fresh=True, attempts=attempts)
