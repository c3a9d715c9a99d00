"""The ERP's records over one SQLite file: the schema, the seed from the plant file, and its queries and changes.

``ErpStore`` answers with the records of ``connectors.records`` and raises ``HTTPException`` (404, 409, 422)
for what the request gets wrong; ``simulator.erp`` serves it over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

from fastapi import HTTPException

from connectors.plant import Plant
from connectors.records import (
    FINAL_PURCHASE_ORDER_STATUSES,
    FINAL_WORK_ORDER_STATUSES,
    PartOffer,
    PurchaseOrder,
    PurchaseOrderCreate,
    PurchaseOrderStatus,
    PurchaseOrderUpdate,
    SparePart,
    StockLevel,
    SupplierRecord,
    WorkOrder,
    WorkOrderCreate,
    WorkOrderEvent,
    WorkOrderPart,
    WorkOrderStatus,
    WorkOrderUpdate,
)
from simulator.http_common import API_PREFIX, Database, canonical_id, next_id, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS suppliers (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parts (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL,
    stock INTEGER NOT NULL CHECK (stock >= 0), reorder_point INTEGER NOT NULL, reorder_qty INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS offers (
    part TEXT NOT NULL REFERENCES parts(id), supplier TEXT NOT NULL REFERENCES suppliers(id),
    price REAL NOT NULL, lead_time_days INTEGER NOT NULL, carbon_kg REAL NOT NULL,
    PRIMARY KEY (part, supplier)
);
CREATE TABLE IF NOT EXISTS work_orders (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,
    machine_id TEXT NOT NULL, line_id TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
    priority TEXT NOT NULL, kind TEXT NOT NULL, parts TEXT NOT NULL, status TEXT NOT NULL,
    requested_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS work_order_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, work_order TEXT NOT NULL REFERENCES work_orders(id),
    at TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL, by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS purchase_orders (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,
    part TEXT NOT NULL REFERENCES parts(id), quantity INTEGER NOT NULL,
    supplier TEXT NOT NULL REFERENCES suppliers(id), unit_price REAL NOT NULL, total_price REAL NOT NULL,
    lead_time_days INTEGER NOT NULL, expected_delivery TEXT NOT NULL, carbon_kg_total REAL NOT NULL,
    status TEXT NOT NULL, requested_by TEXT NOT NULL, reason TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, note TEXT NOT NULL
);
"""

_TABLES = ("work_order_events", "work_orders", "purchase_orders", "offers", "parts", "suppliers", "idempotency_keys")


def seed_erp(conn: sqlite3.Connection, plant: Plant) -> None:
    """Put the plant file's suppliers, parts and offers that the database does not have yet into it."""
    conn.executemany(
        "INSERT OR IGNORE INTO suppliers (id, name, country) VALUES (?, ?, ?)",
        [(s.id, s.name, s.country) for s in plant.suppliers],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO parts (id, name, unit, stock, reorder_point, reorder_qty) VALUES (?, ?, ?, ?, ?, ?)",
        [(p.id, p.name, p.unit, p.stock, p.reorder_point, p.reorder_qty) for p in plant.parts],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO offers (part, supplier, price, lead_time_days, carbon_kg) VALUES (?, ?, ?, ?, ?)",
        [(p.id, o.supplier, o.price, o.lead_time_days, o.carbon_kg) for p in plant.parts for o in p.offers],
    )



def reset_erp(db_path: Path, plant: Plant) -> None:
    """Back to the plant file: forget every work order, purchase order, stock change and idempotency key."""
    with Database(db_path, SCHEMA).write() as conn:
        for table in _TABLES:
            conn.execute(f"DELETE FROM {table}")
        seed_erp(conn, plant)


class ErpStore:
    """The ERP's queries and changes over one database, with the plant file for bills of materials."""

    def __init__(self, db: Database, plant: Plant) -> None:
        self.db = db
        self.plant = plant
        self.used_by: dict[str, list[str]] = {}
        for machine in plant.machines.values():
            for line in machine.bom:
                self.used_by.setdefault(line.part, []).append(machine.id)

    # ------------------------------------------------------------------------------------ parts

    @staticmethod
    def _on_order(conn: sqlite3.Connection) -> dict[str, int]:
        rows = conn.execute("SELECT part, SUM(quantity) FROM purchase_orders WHERE status = 'ordered' GROUP BY part")
        return {part: qty for part, qty in rows}

    @staticmethod
    def _part_row(conn: sqlite3.Connection, part_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM parts WHERE id = ?", (canonical_id(part_id),)).fetchone()
        if row is None:
            raise HTTPException(404, f"unknown part {part_id!r}; list parts with GET {API_PREFIX}/parts")
        return row

    def _parts(self, conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[SparePart]:
        on_order = self._on_order(conn)
        offers: dict[str, list[PartOffer]] = {}
        for o in conn.execute(
            "SELECT o.*, s.name AS supplier_name FROM offers o JOIN suppliers s ON s.id = o.supplier"
            " ORDER BY o.part, o.price"
        ):
            offers.setdefault(o["part"], []).append(
                PartOffer(supplier=o["supplier"], supplier_name=o["supplier_name"], price=o["price"],
                          lead_time_days=o["lead_time_days"], carbon_kg=o["carbon_kg"])
            )
        return [
            SparePart(
                id=r["id"], name=r["name"], unit=r["unit"], stock=r["stock"], reorder_point=r["reorder_point"],
                reorder_qty=r["reorder_qty"], on_order=on_order.get(r["id"], 0),
                below_reorder=r["stock"] <= r["reorder_point"], offers=offers.get(r["id"], []),
                machines=self.used_by.get(r["id"], []),
            )
            for r in rows
        ]

    def list_parts(self, machine_id: str | None, below_reorder: bool) -> list[SparePart]:
        with self.db.read() as conn:
            parts = self._parts(conn, conn.execute("SELECT * FROM parts ORDER BY id").fetchall())
        if machine_id is not None:
            bom = {line.part for line in self.plant.machine(machine_id).bom}
            parts = [p for p in parts if p.id in bom]
        if below_reorder:
            parts = [p for p in parts if p.below_reorder]
        return parts

    def get_part(self, part_id: str) -> SparePart:
        with self.db.read() as conn:
            return self._parts(conn, [self._part_row(conn, part_id)])[0]

    def set_offer_price(self, conn: sqlite3.Connection, part_id: str, supplier_id: str, price: float) -> SparePart:
        row = self._part_row(conn, part_id)
        changed = conn.execute("UPDATE offers SET price = ? WHERE part = ? AND supplier = ?",
                               (price, row["id"], canonical_id(supplier_id))).rowcount
        if not changed:
            raise HTTPException(404, f"supplier {supplier_id!r} makes no offer for part {row['id']}")
        return self._parts(conn, [row])[0]

    def inventory(self) -> list[StockLevel]:
        return [
            StockLevel(part=p.id, name=p.name, unit=p.unit, stock=p.stock, reorder_point=p.reorder_point,
                       reorder_qty=p.reorder_qty, on_order=p.on_order, below_reorder=p.below_reorder)
            for p in self.list_parts(None, False)
        ]

    def suppliers(self) -> list[SupplierRecord]:
        with self.db.read() as conn:
            return [SupplierRecord(**dict(r)) for r in conn.execute("SELECT * FROM suppliers ORDER BY id")]

    # ------------------------------------------------------------------------------------ work orders

    @staticmethod
    def _work_orders(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[WorkOrder]:
        """Work orders with their histories, in two queries however many there are."""
        ids = [r["id"] for r in rows]
        events: dict[str, list[WorkOrderEvent]] = {i: [] for i in ids}
        for e in conn.execute(
            "SELECT * FROM work_order_events WHERE work_order IN (SELECT value FROM json_each(?)) ORDER BY seq",
            (json.dumps(ids),),
        ):
            events[e["work_order"]].append(WorkOrderEvent(at=e["at"], status=e["status"], note=e["note"], by=e["by"]))
        orders = []
        for row in rows:
            fields = {k: row[k] for k in row.keys() if k != "seq"}
            fields["parts"] = [WorkOrderPart(**p) for p in json.loads(row["parts"])]
            orders.append(WorkOrder(**fields, history=events[row["id"]]))
        return orders

    @staticmethod
    def _work_order_row(conn: sqlite3.Connection, work_order_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM work_orders WHERE id = ?", (canonical_id(work_order_id),)).fetchone()
        if row is None:
            raise HTTPException(404, f"unknown work order {work_order_id!r}")
        return row

    def list_work_orders(self, machine_id: str | None, status: WorkOrderStatus | None) -> list[WorkOrder]:
        query, args = "SELECT * FROM work_orders WHERE 1=1", []
        if machine_id is not None:
            query += " AND machine_id = ?"
            args.append(self.plant.machine(machine_id).id)
        if status is not None:
            query += " AND status = ?"
            args.append(status)
        with self.db.read() as conn:
            return self._work_orders(conn, conn.execute(query + " ORDER BY seq", args).fetchall())

    def get_work_order(self, work_order_id: str) -> WorkOrder:
        with self.db.read() as conn:
            return self._work_orders(conn, [self._work_order_row(conn, work_order_id)])[0]

    def create_work_order(self, conn: sqlite3.Connection, order: WorkOrderCreate) -> WorkOrder:
        machine = self.plant.machine(order.machine_id)
        parts = [WorkOrderPart(part=self._part_row(conn, p.part)["id"], qty=p.qty) for p in order.parts]
        seq, wo_id = next_id(conn, "work_orders", "WO")
        now = utc_now().isoformat()
        conn.execute(
            "INSERT INTO work_orders (id, seq, machine_id, line_id, title, description, priority, kind, parts,"
            " status, requested_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            (wo_id, seq, machine.id, machine.line_id, order.title, order.description, order.priority, order.kind,
             json.dumps([p.model_dump() for p in parts]), order.requested_by, now, now),
        )
        conn.execute(
            "INSERT INTO work_order_events (work_order, at, status, note, by) VALUES (?, ?, 'open', 'opened', ?)",
            (wo_id, now, order.requested_by),
        )
        return self._work_orders(conn, [self._work_order_row(conn, wo_id)])[0]

    def update_work_order(self, conn: sqlite3.Connection, work_order_id: str, update: WorkOrderUpdate) -> WorkOrder:
        row = self._work_order_row(conn, work_order_id)
        if row["status"] in FINAL_WORK_ORDER_STATUSES:
            raise HTTPException(409, f"work order {row['id']} is {row['status']}; a done or cancelled work order "
                                     "cannot change (open a new one)")
        now = utc_now().isoformat()
        conn.execute("UPDATE work_orders SET status = ?, updated_at = ? WHERE id = ?", (update.status, now, row["id"]))
        conn.execute(
            "INSERT INTO work_order_events (work_order, at, status, note, by) VALUES (?, ?, ?, ?, ?)",
            (row["id"], now, update.status, update.note, update.requested_by),
        )
        return self._work_orders(conn, [self._work_order_row(conn, row["id"])])[0]

    # ------------------------------------------------------------------------------------ purchase orders

    @staticmethod
    def _purchase_order(conn: sqlite3.Connection, row: sqlite3.Row) -> PurchaseOrder:
        names = conn.execute(
            "SELECT p.name AS part_name, p.unit, s.name AS supplier_name FROM parts p, suppliers s"
            " WHERE p.id = ? AND s.id = ?",
            (row["part"], row["supplier"]),
        ).fetchone()
        fields = {k: row[k] for k in row.keys() if k != "seq"}
        return PurchaseOrder(**fields, **dict(names))

    @staticmethod
    def _purchase_order_row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM purchase_orders WHERE id = ?", (canonical_id(order_id),)).fetchone()
        if row is None:
            raise HTTPException(404, f"unknown purchase order {order_id!r}")
        return row

    def list_purchase_orders(self, part: str | None, status: PurchaseOrderStatus | None) -> list[PurchaseOrder]:
        query, args = "SELECT * FROM purchase_orders WHERE 1=1", []
        with self.db.read() as conn:
            if part is not None:
                query += " AND part = ?"
                args.append(self._part_row(conn, part)["id"])
            if status is not None:
                query += " AND status = ?"
                args.append(status)
            return [self._purchase_order(conn, r) for r in conn.execute(query + " ORDER BY seq", args).fetchall()]

    def get_purchase_order(self, order_id: str) -> PurchaseOrder:
        with self.db.read() as conn:
            return self._purchase_order(conn, self._purchase_order_row(conn, order_id))

    def create_purchase_order(self, conn: sqlite3.Connection, order: PurchaseOrderCreate) -> PurchaseOrder:
        part = self._part_row(conn, order.part)
        supplier_id = canonical_id(order.supplier)
        if conn.execute("SELECT 1 FROM suppliers WHERE id = ?", (supplier_id,)).fetchone() is None:
            raise HTTPException(404, f"unknown supplier {order.supplier!r}; list suppliers with GET "
                                     f"{API_PREFIX}/suppliers")
        offer = conn.execute(
            "SELECT * FROM offers WHERE part = ? AND supplier = ?", (part["id"], supplier_id)
        ).fetchone()
        if offer is None:
            offered = conn.execute(
                "SELECT supplier, price, lead_time_days FROM offers WHERE part = ? ORDER BY price", (part["id"],)
            ).fetchall()
            choices = ", ".join(f"{o['supplier']} ({o['price']:.2f}, {_days(o['lead_time_days'])})" for o in offered)
            raise HTTPException(422, f"supplier {supplier_id} does not offer part {part['id']}; "
                                     f"offers come from: {choices or 'nobody'}")
        now = utc_now()
        seq, po_id = next_id(conn, "purchase_orders", "PUR")
        conn.execute(
            "INSERT INTO purchase_orders (id, seq, part, quantity, supplier, unit_price, total_price, lead_time_days,"
            " expected_delivery, carbon_kg_total, status, requested_by, reason, created_at, updated_at, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ordered', ?, ?, ?, ?, '')",
            (po_id, seq, part["id"], order.quantity, supplier_id, offer["price"],
             round(offer["price"] * order.quantity, 2), offer["lead_time_days"],
             (now.date() + timedelta(days=offer["lead_time_days"])).isoformat(),
             round(offer["carbon_kg"] * order.quantity, 3), order.requested_by, order.reason,
             now.isoformat(), now.isoformat()),
        )
        return self._purchase_order(conn, self._purchase_order_row(conn, po_id))

    def update_purchase_order(
        self, conn: sqlite3.Connection, order_id: str, update: PurchaseOrderUpdate
    ) -> PurchaseOrder:
        row = self._purchase_order_row(conn, order_id)
        if row["status"] in FINAL_PURCHASE_ORDER_STATUSES:
            raise HTTPException(409, f"purchase order {row['id']} is already {row['status']}")
        conn.execute(
            "UPDATE purchase_orders SET status = ?, note = ?, updated_at = ? WHERE id = ?",
            (update.status, update.note, utc_now().isoformat(), row["id"]),
        )
        if PurchaseOrderStatus(update.status) is PurchaseOrderStatus.received:
            conn.execute("UPDATE parts SET stock = stock + ? WHERE id = ?", (row["quantity"], row["part"]))
        return self._purchase_order(conn, self._purchase_order_row(conn, row["id"]))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def open_erp_store(db_path: Path, plant: Plant) -> ErpStore:
    """The ERP's records in the SQLite file at ``db_path``, created and seeded from the plant file if new."""
    db = Database(db_path, SCHEMA)
    with db.write() as conn:
        seed_erp(conn, plant)
    return ErpStore(db, plant)
