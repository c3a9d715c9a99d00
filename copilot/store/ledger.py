"""The record of what ran, so an action runs once even across crashes, resumes and processes.

Before a tool runs, its action id is *claimed* in one transaction: a new row as
``started``, or a ``started`` row whose claim is stale (its process died — on this
host that is seen at once, elsewhere when the lease runs out — or the last try
ended without an answer). A second process that finds a live claim does not run
the action: it waits for the first one's outcome. After the run, the
result is stored as ``done`` (or ``failed``); a resumed node that finds it returns
the stored result instead of running again.

A run whose outcome is unknown (the system took the request but did not confirm
it: a timeout, a dropped connection) stays ``started`` with its claim released, so
a retry of the same action runs again under the same idempotency key, which the
ERP/MES use to return the first record; a PLC write is an absolute value, so
repeating it lands on the same value.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from copilot.store.db import AddColumn, Location, Sql, Store
from copilot.store.holders import is_gone, new_holder, release

_MIGRATIONS = (
    (Sql("""CREATE TABLE IF NOT EXISTS executions (
        action_id TEXT PRIMARY KEY,
        tool TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
        attempts INTEGER NOT NULL,
        result TEXT,
        started_at DOUBLE PRECISION NOT NULL,
        finished_at DOUBLE PRECISION
    )"""),),
    (AddColumn("executions", "claimed_by", "TEXT"),),  # claims: who runs it now
)


class RunStatus(StrEnum):
    """What became of an action's run."""

    done = "done"
    failed = "failed"
    unconfirmed = "unconfirmed"  # the system did not confirm: it may or may not have happened


@dataclass(frozen=True)
class Execution:
    """What a run produced, and whether it was this call that ran it."""

    status: RunStatus
    result: Any
    fresh: bool
    attempts: int


class ExecutionLedger(Store):
    """Each action's run, recorded so that it runs at most once: claimed under a lease, then
    done, failed or unconfirmed."""

    store, migrations = "ledger", _MIGRATIONS

    def __init__(self, location: Location, *, lease_s: float = 60.0) -> None:
        """``lease_s``: how long a claim holds without an outcome before another process may take the action
        over (longer than any one run: the tool timeout bounds it)."""
        super().__init__(location)
        self._lease_s = lease_s
        self._holder = new_holder()

    def close(self) -> None:
        release(self._holder)
        super().close()

    def lookup(self, action_id: str) -> Execution | None:
        row = self._db.one("SELECT * FROM executions WHERE action_id = ?", (action_id,))
        if row is None or row["status"] == "started":
            return None
        return Execution(RunStatus(row["status"]), json.loads(row["result"]), fresh=False, attempts=row["attempts"])

    def standing(self, action_id: str) -> Execution | None:
        """What became of the action's run so far: as :meth:`lookup`, and also a run left unconfirmed (sent, not
        confirmed: open for a retry under its key); None while it has not run or runs now."""
        row = self._db.one("SELECT * FROM executions WHERE action_id = ?", (action_id,))
        if row is None or row["result"] is None:
            return None
        status = RunStatus.unconfirmed if row["status"] == "started" else RunStatus(row["status"])
        return Execution(status, json.loads(row["result"]), fresh=False, attempts=row["attempts"])

    def executed(self) -> list[str]:
        """The ids of every action that ran to completion."""
        return [r["action_id"] for r in self._db.all("SELECT action_id FROM executions WHERE status = 'done'")]

    async def run_once(
        self, action_id: str, tool: str, run: Callable[[], Awaitable[Any]], *,
        errors: tuple[type[BaseException], ...], unconfirmed: Callable[[BaseException], bool] = lambda exc: False,
    ) -> Execution:
        """Run ``run`` unless this action already finished or another process is running it (then its
        outcome). ``errors`` are stored as a failed outcome, except those ``unconfirmed`` says may have
        taken effect: those leave the action open for a retry under the same key."""
        while True:
            if (finished := self.lookup(action_id)) is not None:
                return finished
            if self._claim(action_id, tool):
                break
            await asyncio.sleep(min(1.0, self._lease_s / 10))  # another process runs it: wait for its outcome
        try:
            result = await run()
        except errors as exc:
            failure = _failure(exc)
            if unconfirmed(exc):
                self._db.execute("UPDATE executions SET result = ?, started_at = 0 WHERE action_id = ?",
                                 (json.dumps(failure), action_id))
                return Execution(RunStatus.unconfirmed, failure, fresh=True, attempts=self._attempts(action_id))
            return self._finish(action_id, RunStatus.failed, failure)
        return self._finish(action_id, RunStatus.done, result)

    def _claim(self, action_id: str, tool: str) -> bool:
        """Take the action for this ledger, atomically: new (the key decides between racing processes), or
        started under a claim that is stale (its row locked while that is judged)."""
        now = time.time()
        with self._db.transaction() as tx:
            if tx.execute("INSERT INTO executions (action_id, tool, status, attempts, result, started_at, claimed_by) "
                          "VALUES (?, ?, 'started', 1, NULL, ?, ?) ON CONFLICT (action_id) DO NOTHING",
                          (action_id, tool, now, self._holder)):
                return True
            row = tx.one("SELECT status, started_at, claimed_by FROM executions WHERE action_id = ?", (action_id,),
                         lock=True)
            if row["status"] != "started" or not (row["started_at"] < now - self._lease_s
                                                  or is_gone(row["claimed_by"])):
                return False
            tx.execute("UPDATE executions SET attempts = attempts + 1, started_at = ?, claimed_by = ?, result = NULL "
                       "WHERE action_id = ?", (now, self._holder, action_id))
        return True

    def _attempts(self, action_id: str) -> int:
        return self._db.one("SELECT attempts FROM executions WHERE action_id = ?", (action_id,))["attempts"]

    def _finish(self, action_id: str, status: RunStatus, result: Any) -> Execution:
        self._db.execute(
            "UPDATE executions SET status = ?, result = ?, finished_at = ? WHERE action_id = ?",
            (str(status), json.dumps(result, default=str), time.time(), action_id),
        )
        return Execution(status, result, fresh=True, attempts=self._attempts(action_id))


async def run_unkept(action_id: str, tool: str, run: Callable[[], Awaitable[Any]], *,
                     errors: tuple[type[BaseException], ...],
                     unconfirmed: Callable[[BaseException], bool] = lambda exc: False) -> Execution:
    """Run ``run`` as :meth:`ExecutionLedger.run_once` would the first time, keeping nothing: for a read, which
    changes nothing and is simply read again should it be replayed."""
    try:
        return Execution(RunStatus.done, await run(), fresh=True, attempts=1)
    except errors as exc:
        return Execution(RunStatus.unconfirmed if unconfirmed(exc) else RunStatus.failed, _failure(exc), fresh=True,
                         attempts=1)


def _failure(exc: BaseException) -> dict[str, str]:
    """What a failed run keeps and replies with: the error's type and message."""
    return {"error": type(exc).__name__, "message": str(exc)}
