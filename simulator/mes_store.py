"""The MES's records over one SQLite file and the live plant: schema, seed, queries, changes, output booking.

``MesStore`` answers with the records of ``connectors.records`` and raises ``HTTPException`` (404, 409, 422)
for what the request gets wrong; ``simulator.mes`` serves it over HTTP. Inspections and the quality report are
``simulator.mes_quality``'s, the material lots ``simulator.mes_lots``'s.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from fastapi import HTTPException

from connectors.plant import Line, Machine, Plant
from connectors.records import (
    FINAL_PRODUCTION_ORDER_STATUSES,
    LineStatus,
    MachineStatus,
    OrderChange,
    ProductionLine,
    ProductionOrderChange,
    ProductionOrderRecord,
    ProductionOrderStatus,
    ProductRecord,
    TagHistory,
    VariantRecord,
)
from simulator.faults import FaultBoard, FaultKind
from simulator.http_common import API_PREFIX, Database, canonical_id, utc_now
from simulator.mes_configured import QUEUE_ORDER, RECIPE_SCHEMA, queue_place
from simulator.mes_lots import LOT_SCHEMA, LOT_TABLES, seed_lots
from simulator.mes_quality import INSPECTION_SCHEMA, int_or_none, round_or_none

Value = float | int | bool | str


class LivePlant(Protocol):
    """What the MES reads of the running plant (``simulator.physics.PlantSimulation`` provides it)."""

    def snapshot(self) -> Mapping[str, Mapping[str, Value]]:
        """machine id -> tag -> current value."""
        ...

    def history(self, machine_id: str, tag: str, seconds: float) -> list[tuple[float, float]]:
        """``(time, value)`` samples of a numeric tag over the last ``seconds``, oldest first."""
        ...

    def text_history(self, machine_id: str, tag: str, seconds: float) -> list[tuple[float, str]]:
        """``(time, text)`` of a text tag: the text in force at the window's start and each change since."""
        ...


SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, line TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS variants (
    id TEXT PRIMARY KEY, product TEXT NOT NULL REFERENCES products(id),
    colour TEXT NOT NULL, options TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS production_orders (
    id TEXT PRIMARY KEY, line TEXT NOT NULL, product TEXT NOT NULL REFERENCES products(id),
    variant TEXT NOT NULL REFERENCES variants(id), quantity INTEGER NOT NULL, produced INTEGER NOT NULL,
    status TEXT NOT NULL, due TEXT, queue_position INTEGER
);
CREATE TABLE IF NOT EXISTS order_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL REFERENCES production_orders(id),
    at TEXT NOT NULL, field TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL,
    requested_by TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS line_output (
    line_id TEXT PRIMARY KEY, last_count INTEGER NOT NULL
);
""" + RECIPE_SCHEMA + LOT_SCHEMA + INSPECTION_SCHEMA
_TABLES = (*LOT_TABLES, "order_changes", "order_recipes", "production_orders", "variants", "products", "inspections",
           "line_output", "idempotency_keys")


def seed_mes(conn: sqlite3.Connection, plant: Plant) -> None:
    """Put the plant file's products, variants, production orders and material lots that the database lacks into it."""
    conn.executemany("INSERT OR IGNORE INTO products (id, name, line) VALUES (?, ?, ?)",
                     [(p.id, p.name, p.line) for p in plant.products])
    conn.executemany(
        "INSERT OR IGNORE INTO variants (id, product, colour, options, position) VALUES (?, ?, ?, ?, ?)",
        [(v.id, p.id, v.colour, json.dumps(v.options), i) for p in plant.products for i, v in enumerate(p.variants)],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO production_orders (id, line, product, variant, quantity, produced, status, due)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(o.id, o.line, o.product, o.variant, o.quantity, o.produced, o.status, o.due and o.due.isoformat())
         for o in plant.production_orders],
    )
    seed_lots(conn, plant)


def reset_mes(db_path: Path, plant: Plant) -> None:
    """Back to the plant file: forget order changes, output bookings, inspections and idempotency keys."""
    with Database(db_path, SCHEMA).write() as conn:
        for table in _TABLES:
            conn.execute(f"DELETE FROM {table}")
        seed_mes(conn, plant)


def output_machine(line: Line) -> Machine | None:
    """The machine whose good-parts counter is the line's output: the last one that has the counter."""
    counting = [m for m in line.machines if "good_count" in m.tags]
    return counting[-1] if counting else None


class MesStore:
    """The MES's queries and changes over one database, the plant file and the live plant."""

    def __init__(self, db: Database, plant: Plant, faults: FaultBoard, live: LivePlant) -> None:
        self.db = db
        self.plant = plant
        self.faults = faults
        self.live = live
        self.lines = {line.id: line for line in plant.lines}

    def line(self, line_id: str) -> Line:
        line = self.lines.get(line_id.strip().upper())
        if line is None:
            raise HTTPException(404, f"unknown line {line_id!r}; the plant has: {', '.join(self.lines)}")
        return line

    def _offline(self, machine_id: str) -> bool:
        return self.faults.get(FaultKind.plc_offline, machine_id) is not None

    def live_values(self) -> dict[str, Mapping[str, Value]]:
        """Current values of every machine whose PLC answers."""
        snapshot = self.live.snapshot()
        return {m: snapshot.get(m, {}) for m in self.plant.machines if not self._offline(m)}

    # ------------------------------------------------------------------------------------ lines

    def list_lines(self) -> list[ProductionLine]:
        return [
            ProductionLine(id=line.id, name=line.name, machines=[m.id for m in line.machines],
                           output_machine=(out.id if (out := output_machine(line)) else None))
            for line in self.plant.lines
        ]

    def _machine_status(self, machine: Machine, values: Mapping[str, Value] | None) -> MachineStatus:
        if values is None:
            return MachineStatus(machine_id=machine.id, name=machine.name, state="offline", alarm_code=None,
                                 alarm=None, good_count=None, reject_count=None, defect_rate=None)
        state_tag = machine.tags.get("state")
        raw_state = values.get("state")
        state = "unknown"
        if state_tag is not None and raw_state is not None:
            state = (state_tag.enum or {}).get(int(raw_state), str(raw_state))
        code = int(values["alarm_code"]) if "alarm_code" in values else None
        return MachineStatus(
            machine_id=machine.id, name=machine.name, state=state, alarm_code=code,
            alarm=self.plant.alarm_codes.get(code, f"alarm {code}") if code else None,
            good_count=int_or_none(values.get("good_count")),
            reject_count=int_or_none(values.get("reject_count")),
            defect_rate=round_or_none(values.get("defect_rate")),
        )

    def line_status(self, line_id: str) -> LineStatus:
        line = self.line(line_id)
        live = self.live_values()
        with self.db.write() as conn:
            self.book_output(conn, live)
            row = conn.execute(
                "SELECT * FROM production_orders WHERE line = ? AND status = 'in_progress' ORDER BY id LIMIT 1",
                (line.id,),
            ).fetchone()
            current = self.order_record(conn, row) if row is not None else None
        out = output_machine(line)
        return LineStatus(
            line_id=line.id, name=line.name, machines=[self._machine_status(m, live.get(m.id)) for m in line.machines],
            current_order=current, output_machine=out.id if out else None,
        )

    def products(self) -> list[ProductRecord]:
        with self.db.read() as conn:
            variants: dict[str, list[VariantRecord]] = {}
            for v in conn.execute("SELECT * FROM variants ORDER BY product, position"):
                variants.setdefault(v["product"], []).append(
                    VariantRecord(id=v["id"], colour=v["colour"], options=json.loads(v["options"]))
                )
            return [ProductRecord(id=p["id"], name=p["name"], line=p["line"], variants=variants.get(p["id"], []))
                    for p in conn.execute("SELECT * FROM products ORDER BY id")]

    # ------------------------------------------------------------------------------------ production orders

    def book_output(self, conn: sqlite3.Connection, live: Mapping[str, Mapping[str, Value]]) -> None:
        """Book to each line's order in progress the good parts its output machine (its last with a ``good_count``)
        counted since the MES last looked; a counter that went backwards (a PLC reset) is the new starting point."""
        for line in self.plant.lines:
            out = output_machine(line)
            if out is None or out.id not in live or live[out.id].get("good_count") is None:
                continue
            count = int(live[out.id]["good_count"])
            seen = conn.execute("SELECT last_count FROM line_output WHERE line_id = ?", (line.id,)).fetchone()
            conn.execute("INSERT OR REPLACE INTO line_output (line_id, last_count) VALUES (?, ?)", (line.id, count))
            if seen is None or count <= seen[0]:
                continue
            conn.execute(
                "UPDATE production_orders SET produced = produced + ? WHERE id = (SELECT id FROM production_orders"
                " WHERE line = ? AND status = 'in_progress' ORDER BY id LIMIT 1)",
                (count - seen[0], line.id),
            )

    @staticmethod
    def order_record(conn: sqlite3.Connection, row: sqlite3.Row) -> ProductionOrderRecord:
        product = conn.execute("SELECT name FROM products WHERE id = ?", (row["product"],)).fetchone()
        variants = [v["id"] for v in conn.execute(
            "SELECT id FROM variants WHERE product = ? ORDER BY position", (row["product"],))]
        changes = [
            OrderChange(at=c["at"], field=c["field"], old=c["old"], new=c["new"], requested_by=c["requested_by"],
                        reason=c["reason"])
            for c in conn.execute("SELECT * FROM order_changes WHERE order_id = ? ORDER BY seq", (row["id"],))
        ]
        return ProductionOrderRecord(
            id=row["id"], line=row["line"], product=row["product"], product_name=product["name"],
            variant=row["variant"], variants=variants, quantity=row["quantity"], produced=row["produced"],
            remaining=max(0, row["quantity"] - row["produced"]), status=row["status"], changes=changes, due=row["due"],
            queue_position=queue_place(conn, row))

    @staticmethod
    def order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM production_orders WHERE id = ?", (canonical_id(order_id),)).fetchone()
        if row is None:
            raise HTTPException(404, f"unknown production order {order_id!r}; list them with GET "
                                     f"{API_PREFIX}/production-orders")
        return row

    def list_orders(self, line_id: str | None, status: ProductionOrderStatus | None) -> list[ProductionOrderRecord]:
        query, args = "SELECT * FROM production_orders WHERE 1=1", []
        if line_id is not None:
            query += " AND line = ?"
            args.append(self.line(line_id).id)
        if status is not None:
            query += " AND status = ?"
            args.append(status)
        live = self.live_values()
        with self.db.write() as conn:
            self.book_output(conn, live)
            return [self.order_record(conn, r) for r in conn.execute(f"{query} ORDER BY {QUEUE_ORDER}", args)]

    def get_order(self, order_id: str) -> ProductionOrderRecord:
        live = self.live_values()
        with self.db.write() as conn:
            self.book_output(conn, live)
            return self.order_record(conn, self.order_row(conn, order_id))

    def change_order(
        self, conn: sqlite3.Connection, order_id: str, change: ProductionOrderChange
    ) -> ProductionOrderRecord:
        self.book_output(conn, self.live_values())
        row = self.order_row(conn, order_id)
        if row["status"] in FINAL_PRODUCTION_ORDER_STATUSES:
            raise HTTPException(409, f"production order {row['id']} is {row['status']}; a done or cancelled "
                                     "order cannot change")
        updates: dict[str, tuple[str, str]] = {}
        if change.variant is not None:
            variant = canonical_id(change.variant)
            variants = [v["id"] for v in conn.execute(
                "SELECT id FROM variants WHERE product = ? ORDER BY position", (row["product"],))]
            if variant not in variants:
                raise HTTPException(422, f"{change.variant!r} is not a variant of product {row['product']}; "
                                         f"its variants are: {', '.join(variants)}")
            if variant != row["variant"]:
                updates["variant"] = (row["variant"], variant)
        if change.quantity is not None:
            if change.quantity < row["produced"]:
                raise HTTPException(422, f"quantity {change.quantity} is below the {row['produced']} already "
                                         f"produced on {row['id']}")
            if change.quantity != row["quantity"]:
                updates["quantity"] = (str(row["quantity"]), str(change.quantity))
        now = utc_now().isoformat()
        for field, (old, new) in updates.items():
            conn.execute(f"UPDATE production_orders SET {field} = ? WHERE id = ?", (new, row["id"]))
            conn.execute(
                "INSERT INTO order_changes (order_id, at, field, old, new, requested_by, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row["id"], now, field, old, new, change.requested_by, change.reason),
            )
        return self.order_record(conn, self.order_row(conn, row["id"]))

    # ------------------------------------------------------------------------------------ historian

    def history(self, machine_id: str, tag_name: str, minutes: float) -> TagHistory:
        tag = self.plant.tag(machine_id, tag_name)
        if tag.is_text:
            raise HTTPException(422, f"{tag.key} is a text tag; the historian keeps numbers only")
        samples = self.live.history(tag.machine_id, tag.name, minutes * 60.0)  # gaps where the PLC was offline
        return TagHistory(machine_id=tag.machine_id, tag=tag.name, unit=tag.unit, minutes=minutes, samples=samples)


def _add_inspection_detail(conn: sqlite3.Connection) -> None:
    """A database made before inspections had a lot, defects by class and a picture time, or production orders a
    due date and a queue position, gets those columns, empty."""
    for table, name, kind in (("inspections", "material_lot", "TEXT NOT NULL DEFAULT ''"),
                              ("inspections", "defects_by_class", "TEXT NOT NULL DEFAULT '{}'"),
                              ("inspections", "taken_at", "REAL"), ("production_orders", "due", "TEXT"),
                              ("production_orders", "queue_position", "INTEGER")):
        if name not in {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def open_mes_store(db_path: Path, plant: Plant, faults: FaultBoard, live: LivePlant) -> MesStore:
    """The MES's records in the SQLite file at ``db_path`` (created and seeded if new), over the live plant."""
    db = Database(db_path, SCHEMA)
    with db.write() as conn:
        _add_inspection_detail(conn)
        seed_mes(conn, plant)
    return MesStore(db, plant, faults, live)
