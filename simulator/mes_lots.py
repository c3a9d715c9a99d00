"""The MES's material lots: the lots it holds (seeded from the plant file), a lot put on hold with its reason and
released, a lot issued to a machine (refused while it is on hold), and each machine's tool with its cycles since it
was last changed."""

from __future__ import annotations

import sqlite3
from typing import Protocol

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from connectors.genealogy import (
    LOT_TAG,
    LotEvent,
    LotEventKind,
    LotHold,
    LotIssue,
    LotRelease,
    LotStatus,
    MaterialLotRecord,
    ToolLife,
)
from connectors.plant import Plant
from simulator.http_common import API_PREFIX, Database, IdempotencyKey, api_router, run_once, utc_now

__all__ = ["LOT_SCHEMA", "LOT_TABLES", "LotPlant", "LotRegister", "lots_router", "seed_lots"]

LOT_TABLES = ("lot_events", "material_lots")
LOT_SCHEMA = """
CREATE TABLE IF NOT EXISTS material_lots (
    id TEXT PRIMARY KEY, material TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lot_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, lot TEXT NOT NULL REFERENCES material_lots(id), at TEXT NOT NULL,
    event TEXT NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL, machine_id TEXT NOT NULL
);
"""


class LotPlant(Protocol):
    """What the lot register touches of the running plant (``simulator.physics.PlantSimulation`` provides it)."""

    def set_text(self, machine_id: str, tag: str, text: str) -> None:
        """Put text into a PLC string tag: a lot issued to a machine is its ``material_lot``."""
        ...

    def tool_cycles(self, machine_id: str) -> int:
        """The cycles the machine's tool has run since it was last changed."""
        ...


def seed_lots(conn: sqlite3.Connection, plant: Plant) -> None:
    """Put the plant file's material lots that the database lacks into it, available."""
    conn.executemany("INSERT OR IGNORE INTO material_lots (id, material, status, reason) VALUES (?, ?, ?, '')",
                     [(lot.id.upper(), lot.material, LotStatus.available.value) for lot in plant.material_lots])


class LotRegister:
    """The MES's lots, their holds and issues over one database; the tools' cycles over the live plant."""

    def __init__(self, db: Database, plant: Plant, live: LotPlant) -> None:
        self.db = db
        self.plant = plant
        self.live = live

    @staticmethod
    def _record(conn: sqlite3.Connection, row: sqlite3.Row) -> MaterialLotRecord:
        events = conn.execute("SELECT * FROM lot_events WHERE lot = ? ORDER BY seq", (row["id"],))
        history = [LotEvent(at=e["at"], event=LotEventKind(e["event"]), by=e["by"], reason=e["reason"],
                            machine_id=e["machine_id"]) for e in events]
        return MaterialLotRecord(id=row["id"], material=row["material"], status=LotStatus(row["status"]),
                                 reason=row["reason"], history=history)

    @staticmethod
    def _row(conn: sqlite3.Connection, lot: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM material_lots WHERE id = ?", (lot.strip().upper(),)).fetchone()
        if row is None:
            raise HTTPException(404, f"unknown material lot {lot!r}; list them with GET {API_PREFIX}/lots")
        return row

    def lots(self, status: LotStatus | None, material: str | None) -> list[MaterialLotRecord]:
        query, args = "SELECT * FROM material_lots WHERE 1=1", []
        if status is not None:
            query, args = query + " AND status = ?", [*args, status.value]
        if material is not None:
            query, args = query + " AND lower(material) = lower(?)", [*args, material.strip()]
        with self.db.read() as conn:
            return [self._record(conn, r) for r in conn.execute(query + " ORDER BY id", args).fetchall()]

    def get(self, lot: str) -> MaterialLotRecord:
        with self.db.read() as conn:
            return self._record(conn, self._row(conn, lot))

    @staticmethod
    def _event(conn: sqlite3.Connection, lot: str, event: LotEventKind, by: str, reason: str,
               machine_id: str = "") -> None:
        conn.execute("INSERT INTO lot_events (lot, at, event, by, reason, machine_id) VALUES (?, ?, ?, ?, ?, ?)",
                     (lot, utc_now().isoformat(), event.value, by, reason, machine_id))

    def hold(self, conn: sqlite3.Connection, lot: str, hold: LotHold) -> MaterialLotRecord:
        row = self._row(conn, lot)
        if row["status"] == LotStatus.on_hold.value:
            raise HTTPException(409, f"material lot {row['id']} is already on hold ({row['reason']})")
        conn.execute("UPDATE material_lots SET status = ?, reason = ? WHERE id = ?",
                     (LotStatus.on_hold.value, hold.reason, row["id"]))
        self._event(conn, row["id"], LotEventKind.hold, hold.requested_by, hold.reason)
        return self._record(conn, self._row(conn, row["id"]))

    def release(self, conn: sqlite3.Connection, lot: str, release: LotRelease) -> MaterialLotRecord:
        row = self._row(conn, lot)
        if row["status"] != LotStatus.on_hold.value:
            raise HTTPException(409, f"material lot {row['id']} is not on hold; there is nothing to release")
        conn.execute("UPDATE material_lots SET status = ?, reason = '' WHERE id = ?",
                     (LotStatus.available.value, row["id"]))
        self._event(conn, row["id"], LotEventKind.release, release.requested_by, release.reason)
        return self._record(conn, self._row(conn, row["id"]))

    def issue(self, conn: sqlite3.Connection, lot: str, issue: LotIssue) -> MaterialLotRecord:
        """Load the lot on the machine; 409 while the lot is on hold, 422 for a machine that runs no lots."""
        row = self._row(conn, lot)
        machine = self.plant.machine(issue.machine_id)
        if LOT_TAG not in machine.tags:
            runs = [m for m in self.plant.machines.values() if LOT_TAG in m.tags]
            raise HTTPException(422, f"{machine.id} runs no material lots; machines that do: "
                                     f"{', '.join(m.id for m in runs)}")
        if row["status"] == LotStatus.on_hold.value:
            raise HTTPException(409, f"material lot {row['id']} is on hold ({row['reason']}) and cannot be issued "
                                     f"to {machine.id}; release it first or issue another lot of {row['material']}")
        self.live.set_text(machine.id, LOT_TAG, row["id"])
        self._event(conn, row["id"], LotEventKind.issue, issue.requested_by, "", machine.id)
        return self._record(conn, self._row(conn, row["id"]))

    def tools(self, line: str | None) -> list[ToolLife]:
        machines = self.plant.line(line).machines if line is not None else list(self.plant.machines.values())
        return [ToolLife(machine_id=m.id, line_id=m.line_id, tool=m.tool.name, cycles=self.live.tool_cycles(m.id),
                         rated_cycles=m.tool.rated_cycles) for m in machines if m.tool is not None]


def lots_router(lots: LotRegister) -> APIRouter:
    """Material lots (list, read, hold, release, issue to a machine) and the machines' tools."""
    api, db = api_router(), lots.db

    @api.get("/lots", tags=["genealogy"], summary="The material lots the MES holds, with their status and history")
    def list_lots(status: LotStatus | None = None, material: str | None = None) -> list[MaterialLotRecord]:
        return lots.lots(status, material)

    @api.get("/lots/{lot}", tags=["genealogy"], summary="One material lot with its status and history")
    def get_lot(lot: str) -> MaterialLotRecord:
        return lots.get(lot)

    @api.post("/lots/{lot}/hold", tags=["genealogy"], response_model=MaterialLotRecord,
              summary="Put a lot on hold with a reason: it is issued to no machine until released (409 if held)")
    def hold_lot(lot: str, hold: LotHold, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, hold, lambda conn: lots.hold(conn, lot, hold))

    @api.post("/lots/{lot}/release", tags=["genealogy"], response_model=MaterialLotRecord,
              summary="Release a held lot with a reason (409 if it is not on hold)")
    def release_lot(lot: str, release: LotRelease, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, release, lambda conn: lots.release(conn, lot, release))

    @api.post("/lots/{lot}/issue", tags=["genealogy"], response_model=MaterialLotRecord,
              summary="Issue a lot to a machine, which loads it next (409 while the lot is on hold)")
    def issue_lot(lot: str, issue: LotIssue, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, issue, lambda conn: lots.issue(conn, lot, issue))

    @api.get("/tools", tags=["genealogy"],
             summary="Each machine's tool (mould, die, nozzle): its cycles since it was last changed and rated life")
    def tools(line: str | None = None) -> list[ToolLife]:
        return lots.tools(line)

    return api
