"""The monitor's alerts: one open alert per machine and cause, with the evidence that opened it.

A condition that persists finds its alert open and opens nothing new (so no second work order or order);
an alert closes when the condition is gone on a later check, or when a person closes it with a note.
"""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from copilot.audit import AuditKind, AuditLog
from copilot.db import connect, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    alert_id TEXT PRIMARY KEY,
    machine_id TEXT NOT NULL,
    cause TEXT NOT NULL,
    what TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    opened_at REAL NOT NULL,
    closed_at REAL,
    closed_by TEXT,
    note TEXT,
    verdict TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_alert ON alerts(machine_id, cause) WHERE status = 'open';
"""


class AlertStatus(StrEnum):
    open = "open"
    cleared = "cleared"  # the condition went away
    closed = "closed"  # a person closed it


class AlertVerdict(StrEnum):
    """What the person who closed an alert judged it: what the monitor's precision is made of."""

    confirmed = "confirmed"
    false_alarm = "false_alarm"


class Alert(BaseModel):
    alert_id: str
    machine_id: str
    cause: str
    what: str
    evidence: dict[str, Any]
    status: AlertStatus
    thread_id: str  # the conversation of the procedure it started
    opened_at: float
    closed_at: float | None = None
    closed_by: str | None = None
    note: str | None = None
    verdict: AlertVerdict | None = None


class Alerts:
    def __init__(self, path) -> None:
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def open(self, machine_id: str, cause: str, what: str, evidence: dict[str, Any]) -> tuple[Alert, bool]:
        """The open alert of this machine and cause: the one there is (False), or a new one (True)."""
        with transaction(self._db):
            if (current := self._open_of(machine_id, cause)) is not None:
                return current, False
            alert_id = f"alert-{uuid.uuid4().hex[:12]}"
            self._db.execute("INSERT INTO alerts VALUES (?, ?, ?, ?, ?, 'open', ?, ?, NULL, NULL, NULL, NULL)",
                             (alert_id, machine_id, cause, what, json.dumps(evidence), f"monitor-{alert_id}",
                              time.time()))
        return self.get(alert_id), True

    def clear(self, machine_id: str, cause: str) -> Alert | None:
        """The condition is gone: its open alert (if any) is cleared."""
        current = self._open_of(machine_id, cause)
        if current is None:
            return None
        return self._end(current.alert_id, AlertStatus.cleared, None, "the condition cleared", None)

    def resolve(self, alert_id: str, by: str, note: str,
                verdict: AlertVerdict = AlertVerdict.confirmed) -> Alert:
        """A person closes an alert, with a note (what was found, what was done) and whether it was real."""
        if not note.strip():
            raise ValueError("closing an alert needs a note: what was found or done")
        return self._end(alert_id, AlertStatus.closed, by, note.strip(), verdict)

    def get(self, alert_id: str) -> Alert:
        row = self._db.execute("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone()
        if row is None:
            raise LookupError(f"no alert {alert_id!r}")
        return self._alert(row)

    def listed(self, status: AlertStatus | None = AlertStatus.open, limit: int = 200) -> list[Alert]:
        sql, params = "SELECT * FROM alerts", []
        if status is not None:
            sql, params = sql + " WHERE status = ?", [str(status)]
        rows = self._db.execute(sql + " ORDER BY opened_at DESC LIMIT ?", (*params, limit)).fetchall()
        return [self._alert(r) for r in rows]

    def _open_of(self, machine_id: str, cause: str) -> Alert | None:
        row = self._db.execute("SELECT * FROM alerts WHERE machine_id = ? AND cause = ? AND status = 'open'",
                               (machine_id, cause)).fetchone()
        return self._alert(row) if row else None

    def _end(self, alert_id: str, status: AlertStatus, by: str | None, note: str,
             verdict: AlertVerdict | None) -> Alert:
        with transaction(self._db):
            alert = self.get(alert_id)
            if alert.status is not AlertStatus.open:
                raise ValueError(f"alert {alert_id} is already {alert.status}")
            self._db.execute("UPDATE alerts SET status = ?, closed_at = ?, closed_by = ?, note = ?, verdict = ? "
                             "WHERE alert_id = ?", (str(status), time.time(), by, note, verdict, alert_id))
        return self.get(alert_id)

    @staticmethod
    def _alert(row) -> Alert:
        return Alert(**{**dict(row), "evidence": json.loads(row["evidence"])})


def close_alert(alerts: Alerts, audit: AuditLog, alert_id: str, by: str, note: str,
                verdict: AlertVerdict = AlertVerdict.confirmed) -> Alert:
    """A person closes an alert with a note and a verdict, and the audit log says who and why."""
    alert = alerts.resolve(alert_id, by, note, verdict)
    audit.append(kind=AuditKind.alert, actor=by, thread_id=alert.thread_id,
                 arguments={"alert": alert.alert_id, "machine": alert.machine_id, "cause": alert.cause},
                 result={"status": str(alert.status), "note": alert.note, "verdict": str(verdict)})
    return alert
