"""The MES's quality records: inspections (parts inspected, defects found, by class, of which lot) and the quality
report per machine, its live counters and defect rate beside the parts it made in a window and its inspections.

``simulator.mes`` serves them; the lines, orders and live plant they read are ``simulator.mes_store``'s.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi import HTTPException

from connectors.records import Inspection, InspectionCreate, MachineQuality, QualityReport
from simulator.http_common import next_id, utc_now

if TYPE_CHECKING:
    from simulator.mes_store import MesStore, Value

QUALITY_TAGS = ("good_count", "reject_count", "defect_rate")
INSPECTION_SCHEMA = """
CREATE TABLE IF NOT EXISTS inspections (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, machine_id TEXT NOT NULL, line_id TEXT NOT NULL,
    inspected INTEGER NOT NULL, defects INTEGER NOT NULL, defect_type TEXT NOT NULL, note TEXT NOT NULL,
    requested_by TEXT NOT NULL, recorded_at TEXT NOT NULL,
    material_lot TEXT NOT NULL DEFAULT '', defects_by_class TEXT NOT NULL DEFAULT '{}', taken_at REAL
);
"""


def int_or_none(value: Value | None) -> int | None:
    """A counter's live value as a whole number; None while there is none."""
    return None if value is None else int(value)


def round_or_none(value: Value | None) -> float | None:
    """A rate's live value to three decimals; None while there is none."""
    return None if value is None else round(float(value), 3)


def _window_gain(samples: list[tuple[float, float]]) -> int | None:
    """How much a counter rose over the samples (a counter reset restarts the sum, it does not subtract)."""
    if not samples:
        return None
    return int(sum(max(0.0, b - a) for (_, a), (_, b) in zip(samples, samples[1:], strict=False)))


def _inspection(row: sqlite3.Row) -> Inspection:
    fields = {k: row[k] for k in row.keys() if k != "seq"}
    fields["defects_by_class"] = json.loads(fields["defects_by_class"])
    return Inspection(**fields, defect_rate=round(100.0 * row["defects"] / row["inspected"], 2))


def record_inspection(store: MesStore, conn: sqlite3.Connection, record: InspectionCreate) -> Inspection:
    """The inspection recorded on the record's machine and its line, numbered after the last."""
    machine = store.plant.machine(record.machine_id)
    seq, inspection_id = next_id(conn, "inspections", "INS")
    conn.execute(
        "INSERT INTO inspections (id, seq, machine_id, line_id, inspected, defects, defect_type, note,"
        " requested_by, recorded_at, material_lot, defects_by_class, taken_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (inspection_id, seq, machine.id, machine.line_id, record.inspected, record.defects, record.defect_type,
         record.note, record.requested_by, utc_now().isoformat(), record.material_lot,
         json.dumps(record.defects_by_class, sort_keys=True), record.taken_at),
    )
    return _inspection(conn.execute("SELECT * FROM inspections WHERE id = ?", (inspection_id,)).fetchone())


def quality_report(store: MesStore, line_id: str | None, machine_id: str | None,
                   since_minutes: float) -> QualityReport:
    """Per machine (the one named, the line's, else all) that measures quality or was inspected: its live
    counters, the parts it made in the last ``since_minutes`` and its inspections then, newest first; 422 for a
    machine not on the line named."""
    if machine_id is not None:
        machine = store.plant.machine(machine_id)
        if line_id is not None and store.line(line_id).id != machine.line_id:
            raise HTTPException(422, f"machine {machine.id} is on line {machine.line_id}, not {line_id}")
        machines, explicit = [machine], True
    elif line_id is not None:
        machines, explicit = store.line(line_id).machines, False
    else:
        machines, explicit = list(store.plant.machines.values()), False
    since = (utc_now() - timedelta(minutes=since_minutes)).isoformat()
    with store.db.read() as conn:
        rows = conn.execute(
            "SELECT * FROM inspections WHERE recorded_at >= ? ORDER BY seq DESC", (since,)
        ).fetchall()
    inspections: dict[str, list[Inspection]] = {}
    for row in rows:
        inspections.setdefault(row["machine_id"], []).append(_inspection(row))
    live = store.live_values()
    seconds = since_minutes * 60.0
    report = []
    for m in machines:
        measures = [t for t in QUALITY_TAGS if t in m.tags]
        if not (explicit or measures or m.id in inspections):
            continue
        values = live.get(m.id, {})  # empty while the PLC is offline
        gains = {t: _window_gain(store.live.history(m.id, t, seconds)) for t in ("good_count", "reject_count")
                 if t in m.tags}
        report.append(MachineQuality(
            machine_id=m.id, line_id=m.line_id,
            good_count=int_or_none(values.get("good_count")),
            reject_count=int_or_none(values.get("reject_count")),
            defect_rate=round_or_none(values.get("defect_rate")),
            good_in_window=gains.get("good_count"), rejects_in_window=gains.get("reject_count"),
            inspections=inspections.get(m.id, []),
        ))
    return QualityReport(since_minutes=since_minutes, machines=report)
