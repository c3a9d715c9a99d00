"""Telling people outside the app: each alert opened or cleared is a small JSON document POSTed to a
configured URL (a Teams or Slack incoming webhook, a CMMS). The documents wait in an outbox in the state
database and are sent by their own task, retried with a growing pause, so a slow or dead receiver never
holds up detection and loses nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from copilot.monitor.alerts import Alert
from copilot.store.db import AddColumn, Location, Sql, Store
from copilot.urls import shown_url

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS alert_outbox (
            id {serial},
            body TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_at DOUBLE PRECISION NOT NULL,
            sent_at DOUBLE PRECISION,
            last_error TEXT
        )"""),
    ),
    (AddColumn("alert_outbox", "alert_id", "TEXT"), AddColumn("alert_outbox", "event", "TEXT")),  # told once each
)
LONGEST_PAUSE_S = 300.0


def document(alert: Alert, event: str) -> dict[str, Any]:
    """What the receiver gets: the alert in a few fields, plain enough for any webhook."""
    return {"event": event, "alert_id": alert.alert_id, "machine_id": alert.machine_id, "cause": alert.cause,
            "what": alert.what, "evidence": alert.evidence, "status": str(alert.status),
            "text": f"[{event}] {alert.machine_id}: {alert.cause} - {alert.what}"}


class Outbox(Store):
    """Alert documents waiting to be posted to ``url`` (nothing is kept without one), sent in order
    until the receiver takes them."""

    store, migrations = "outbox", _MIGRATIONS

    def __init__(self, location: Location, url: str | None, *, timeout_s: float = 5.0) -> None:
        super().__init__(location)
        self.url, self._timeout_s = url, timeout_s

    def put(self, alert: Alert, event: str) -> None:
        """Keep the alert's document to send, once per alert and event: an alert opened again while its proposals
        wait, and cleared again, is not told twice."""
        if self.url and self._db.one("SELECT 1 AS told FROM alert_outbox WHERE alert_id = ? AND event = ?",
                                     (alert.alert_id, event)) is None:
            self._db.execute("INSERT INTO alert_outbox (body, next_at, alert_id, event) VALUES (?, ?, ?, ?)",
                             (json.dumps(document(alert, event)), time.time(), alert.alert_id, event))

    def waiting(self) -> int:
        return self._db.one("SELECT COUNT(*) AS n FROM alert_outbox WHERE sent_at IS NULL")["n"]

    async def deliver(self) -> int:
        """Send what is due, oldest first; a failure waits 2, 4, 8 … s (at most 5 min) before its next try.
        Returns how many were sent."""
        if not self.url:
            return 0
        due = self._db.all("SELECT id, body, attempts, next_at FROM alert_outbox "
                           "WHERE sent_at IS NULL AND next_at <= ? ORDER BY id", (time.time(),))
        sent = 0
        async with httpx.AsyncClient(timeout=self._timeout_s) as http:
            for row in due:
                if not self._claim(row["id"], row["next_at"]):
                    break  # another monitor is sending these, in order
                try:
                    response = await http.post(self.url, content=row["body"],
                                               headers={"Content-Type": "application/json"})
                    response.raise_for_status()
                except httpx.HTTPError as exc:
                    pause = min(2.0 ** (row["attempts"] + 1), LONGEST_PAUSE_S)
                    error = self._without_url(f"{type(exc).__name__}: {exc}")[:300]
                    self._db.execute("UPDATE alert_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? "
                                     "WHERE id = ?", (time.time() + pause, error, row["id"]))
                    break  # the receiver is down or refusing: the rest wait with it, in order
                self._db.execute("UPDATE alert_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
                                 (time.time(), row["id"]))
                sent += 1
        return sent

    def _without_url(self, text: str) -> str:
        """``text`` with the webhook's address (its path is its key) shown as scheme and host only."""
        for form in {self.url, str(httpx.URL(self.url))}:
            text = text.replace(form, shown_url(self.url))
        return text

    def _claim(self, row_id: int, due_at: float) -> bool:
        """Take a document to send: only one sender moves its due time on (past the send's timeout, so a sender
        that dies while sending leaves it due again for the next)."""
        return self._db.execute("UPDATE alert_outbox SET next_at = ? WHERE id = ? AND next_at = ? AND sent_at IS NULL",
                                (time.time() + 2 * self._timeout_s, row_id, due_at)) == 1

    async def run(self, stop: asyncio.Event, every_s: float = 2.0) -> None:
        while not stop.is_set():
            await self.deliver()
            try:
                await asyncio.wait_for(stop.wait(), every_s)
            except TimeoutError:
                pass
