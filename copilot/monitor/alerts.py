"""The monitor's alerts: one open alert per machine and cause, with the evidence that opened it.

A condition that persists finds its alert open and opens nothing new (so no second work order or order);
an alert closes when the condition is gone on a later check, or when a person closes it with a note. A person
judges an alert real or false (open or ended): who and when are kept, and the monitor's precision is made of them.
The monitor's own figures drifting past their thresholds open alerts of their own kind (copilot/monitor/drift.py).
"""

from __future__ import annotations

import json
import time
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from copilot.identity.users import User
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.db import Location, Sql, Store
from policies.model import Role

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS alerts (
            alert_id TEXT PRIMARY KEY,
            machine_id TEXT NOT NULL,
            cause TEXT NOT NULL,
            what TEXT NOT NULL,
            evidence TEXT NOT NULL,
            status TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            opened_at DOUBLE PRECISION NOT NULL,
            closed_at DOUBLE PRECISION,
            closed_by TEXT,
            note TEXT,
            verdict TEXT
        )"""),
        Sql("CREATE UNIQUE INDEX IF NOT EXISTS one_open_alert ON alerts(machine_id, cause) WHERE status = 'open'"),
    ),
    (Sql("ALTER TABLE alerts ADD COLUMN rechecked_at DOUBLE PRECISION"),),
    (
        Sql("ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'plant'"),
        Sql("ALTER TABLE alerts ADD COLUMN judged_by TEXT"),
        Sql("ALTER TABLE alerts ADD COLUMN judged_at DOUBLE PRECISION"),
        Sql("UPDATE alerts SET judged_by = closed_by, judged_at = closed_at WHERE verdict IS NOT NULL"),
    ),
)

JUDGES = frozenset({Role.supervisor, Role.engineer, Role.admin})  # who may judge an alert real or false


class AlertKind(StrEnum):
    """What an alert is about: the plant (a detection, an alarm), or the copilot's own figures drifting."""

    plant = "plant"
    drift = "drift"


class AlertStatus(StrEnum):
    """Where an alert stands: open, cleared by itself, or closed by a person."""

    open = "open"
    cleared = "cleared"  # the condition went away
    closed = "closed"  # a person closed it


class AlertVerdict(StrEnum):
    """What the person who closed an alert judged it: what the monitor's precision is made of."""

    confirmed = "confirmed"
    false_alarm = "false_alarm"


class Alert(BaseModel):
    """One alert: a cause found on a machine with its evidence, its status, and the conversation of the
    procedure it started."""

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
    rechecked_at: float | None = None  # when the re-inspection after its correction was told
    kind: AlertKind = AlertKind.plant
    judged_by: str | None = None  # who judged it real or false (its verdict), and when
    judged_at: float | None = None


class Alerts(Store):
    """The alerts, at most one open per machine and cause: opened, cleared, closed with a verdict, listed."""

    store, migrations = "alerts", _MIGRATIONS

    def __init__(self, location: Location) -> None:
        super().__init__(location)

    def open(self, machine_id: str, cause: str, what: str, evidence: dict[str, Any],
             kind: AlertKind = AlertKind.plant) -> tuple[Alert, bool]:
        """The open alert of this machine and cause: the one there is (False), or a new one (True)."""
        while True:  # the one-open-alert index decides between monitors racing; a lost race finds the winner's
            alert_id = f"alert-{uuid.uuid4().hex[:12]}"
            if self._db.execute("INSERT INTO alerts (alert_id, machine_id, cause, what, evidence, status, thread_id, "
                                "opened_at, kind) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) "
                                "ON CONFLICT (machine_id, cause) WHERE status = 'open' DO NOTHING",
                                (alert_id, machine_id, cause, what, json.dumps(evidence), f"monitor-{alert_id}",
                                 time.time(), str(kind))):
                return self.get(alert_id), True
            if (current := self._open_of(machine_id, cause)) is not None:
                return current, False

    def clear(self, machine_id: str, cause: str) -> Alert | None:
        """The condition is gone: its open alert (if any) is cleared."""
        current = self._open_of(machine_id, cause)
        if current is None:
            return None
        return self._end(current.alert_id, AlertStatus.cleared, None, "the condition cleared", None)

    def latest_cleared(self, machine_id: str, cause: str) -> Alert | None:
        """The latest alert of this machine and cause that cleared by itself (not closed by a person)."""
        row = self._db.one("SELECT * FROM alerts WHERE machine_id = ? AND cause = ? AND status = 'cleared' "
                           "ORDER BY closed_at DESC LIMIT 1", (machine_id, cause))
        return self._alert(row) if row else None

    def awaiting_recheck(self, causes: list[str], since_s: float) -> list[Alert]:
        """The alerts of these causes opened in the last ``since_s`` seconds, open or cleared by themselves, whose
        re-inspection has not been told, oldest first."""
        if not causes:
            return []
        marks = ", ".join("?" * len(causes))
        rows = self._db.all(f"SELECT * FROM alerts WHERE cause IN ({marks}) AND rechecked_at IS NULL AND status IN "
                            "('open', 'cleared') AND opened_at >= ? ORDER BY opened_at",
                            (*causes, time.time() - since_s))
        return [self._alert(r) for r in rows]

    def rechecked(self, alert_id: str) -> bool:
        """Mark the alert's re-inspection told; False when another monitor marked it first."""
        return bool(self._db.execute("UPDATE alerts SET rechecked_at = ? WHERE alert_id = ? AND rechecked_at IS NULL",
                                     (time.time(), alert_id)))

    def reopen(self, alert: Alert) -> Alert | None:
        """A cleared alert open again, its condition back; None when another of its machine and cause is open."""
        if not self._db.execute("UPDATE alerts SET status = 'open', closed_at = NULL, note = NULL WHERE alert_id = ? "
                                "AND status = 'cleared' AND NOT EXISTS (SELECT 1 FROM alerts WHERE machine_id = ? "
                                "AND cause = ? AND status = 'open')", (alert.alert_id, alert.machine_id, alert.cause)):
            return None
        return self.get(alert.alert_id)

    def resolve(self, alert_id: str, by: str, note: str,
                verdict: AlertVerdict = AlertVerdict.confirmed) -> Alert:
        """A person closes an alert, with a note (what was found, what was done) and whether it was real."""
        if not note.strip():
            raise ValueError("closing an alert needs a note: what was found or done")
        return self._end(alert_id, AlertStatus.closed, by, note.strip(), verdict)

    def judge(self, alert_id: str, by: str, verdict: AlertVerdict) -> Alert:
        """A person judges an alert real or false, open or ended; a later judgement replaces an earlier one."""
        if not self._db.execute("UPDATE alerts SET verdict = ?, judged_by = ?, judged_at = ? WHERE alert_id = ?",
                                (str(verdict), by, time.time(), alert_id)):
            raise LookupError(f"no alert {alert_id!r}")
        return self.get(alert_id)

    def judged(self, since: float, until: float) -> list[Alert]:
        """The plant's alerts opened between ``since`` and ``until`` that a person judged, oldest first."""
        rows = self._db.all("SELECT * FROM alerts WHERE kind = ? AND verdict IS NOT NULL AND opened_at >= ? "
                            "AND opened_at < ? ORDER BY opened_at", (str(AlertKind.plant), since, until))
        return [self._alert(r) for r in rows]

    def open_of_kind(self, kind: AlertKind) -> list[Alert]:
        """The open alerts of one kind, oldest first."""
        rows = self._db.all("SELECT * FROM alerts WHERE kind = ? AND status = 'open' ORDER BY opened_at",
                            (str(kind),))
        return [self._alert(r) for r in rows]

    def get(self, alert_id: str) -> Alert:
        row = self._db.one("SELECT * FROM alerts WHERE alert_id = ?", (alert_id,))
        if row is None:
            raise LookupError(f"no alert {alert_id!r}")
        return self._alert(row)

    def listed(self, status: AlertStatus | None = AlertStatus.open, limit: int = 200) -> list[Alert]:
        sql, params = "SELECT * FROM alerts", []
        if status is not None:
            sql, params = sql + " WHERE status = ?", [str(status)]
        rows = self._db.all(sql + " ORDER BY opened_at DESC LIMIT ?", (*params, limit))
        return [self._alert(r) for r in rows]

    def _open_of(self, machine_id: str, cause: str) -> Alert | None:
        row = self._db.one("SELECT * FROM alerts WHERE machine_id = ? AND cause = ? AND status = 'open'",
                           (machine_id, cause))
        return self._alert(row) if row else None

    def _end(self, alert_id: str, status: AlertStatus, by: str | None, note: str,
             verdict: AlertVerdict | None) -> Alert:
        with self._db.transaction() as tx:
            row = tx.one("SELECT status FROM alerts WHERE alert_id = ?", (alert_id,), lock=True)
            if row is None:
                raise LookupError(f"no alert {alert_id!r}")
            if row["status"] != AlertStatus.open:
                raise ValueError(f"alert {alert_id} is already {row['status']}")
            now = time.time()
            tx.execute("UPDATE alerts SET status = ?, closed_at = ?, closed_by = ?, note = ? WHERE alert_id = ?",
                       (str(status), now, by, note, alert_id))
            if verdict is not None:
                tx.execute("UPDATE alerts SET verdict = ?, judged_by = ?, judged_at = ? WHERE alert_id = ?",
                           (str(verdict), by, now, alert_id))
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


def judge_alert(alerts: Alerts, audit: AuditLog, alert_id: str, by: User, verdict: AlertVerdict) -> Alert:
    """A supervisor, engineer or admin judges an alert real or false, and the audit log says who and what;
    PermissionError for anyone else, LookupError for an alert there is not."""
    if by.role not in JUDGES:
        raise PermissionError(f"{by.username} is an {by.role}: only a supervisor, an engineer or an admin judges "
                              "an alert")
    alert = alerts.judge(alert_id, by.username, verdict)
    audit.append(kind=AuditKind.alert, actor=by.username, thread_id=alert.thread_id,
                 arguments={"alert": alert.alert_id, "machine": alert.machine_id, "cause": alert.cause},
                 result={"status": str(alert.status), "verdict": str(verdict)})
    return alert
