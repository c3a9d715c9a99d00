"""The MES's configured orders: a production order created with its configuration and recipe at its place in its
line's queue (before a planned order, or last), the recipe it keeps, and the switch of its line to it (the finished
order before it closed as done). A line's queue is its planned orders by ``queue_position`` (as created, or by
number where none was set).

Each change is recorded in the order's changes (field ``status``), by whom and why; ``simulator.mes`` serves them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import TYPE_CHECKING

from fastapi import HTTPException

from connectors.configured_orders import OrderRecipe, OrderSetpoint, ProductionOrderCreate, ProductionOrderStart
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from simulator.http_common import canonical_id, utc_now

if TYPE_CHECKING:
    from simulator.mes_store import MesStore

RECIPE_SCHEMA = """
CREATE TABLE IF NOT EXISTS order_recipes (
    order_id TEXT NOT NULL, position INTEGER NOT NULL, machine_id TEXT NOT NULL, tag TEXT NOT NULL,
    value REAL NOT NULL, PRIMARY KEY (order_id, position)
);
"""


def _variant(conn: sqlite3.Connection, product: str, colour: str, options: list[str]) -> str:
    """The product's variant of exactly that colour and those options; a new one when it has none."""
    rows = conn.execute("SELECT * FROM variants WHERE product = ? ORDER BY position", (product,)).fetchall()
    for row in rows:
        if row["colour"] == colour and set(json.loads(row["options"])) == set(options):
            return row["id"]
    variant = "-".join([product, colour.upper(), *sorted(o.upper() for o in options)])
    conn.execute("INSERT INTO variants (id, product, colour, options, position) VALUES (?, ?, ?, ?, ?)",
                 (variant, product, colour, json.dumps(sorted(options)), len(rows)))
    return variant


def _next_order_id(conn: sqlite3.Connection, line: str) -> str:
    """The line's next order number after its highest: PO-L1-0043 → PO-L1-0044."""
    numbers = [int(m.group(1)) for (order_id,) in conn.execute("SELECT id FROM production_orders WHERE line = ?",
                                                               (line,))
               if (m := re.search(r"(\d+)$", order_id))]
    return f"PO-{line}-{max(numbers, default=0) + 1:04d}"


QUEUE_ORDER = "line, COALESCE(queue_position, 0), id"
"""How the MES lists production orders: by line, then in each line's queue order, then by number."""


def _queue(conn: sqlite3.Connection, line: str) -> list[str]:
    """The line's planned orders, next first."""
    return [r["id"] for r in conn.execute(f"SELECT id FROM production_orders WHERE line = ? AND status = ? ORDER BY "
                                          f"{QUEUE_ORDER}", (line, ProductionOrderStatus.planned.value))]


def queue_place(conn: sqlite3.Connection, row: sqlite3.Row) -> int | None:
    """The order's place among its line's planned orders (1: next); None when it is not planned."""
    if ProductionOrderStatus(row["status"]) is not ProductionOrderStatus.planned:
        return None
    return _queue(conn, row["line"]).index(row["id"]) + 1


def _queued_at(conn: sqlite3.Connection, line: str, before: str | None) -> int:
    """Where a new order goes in the line's queue: just before the planned order ``before``, else last; 422 naming
    the queue when ``before`` is not one of its planned orders."""
    queue = _queue(conn, line)
    if before is None:
        return len(queue)
    if canonical_id(before) not in queue:
        raise HTTPException(422, f"{before!r} is not a planned order of line {line}, so nothing can be queued "
                                 f"before it; its queue: {', '.join(queue) or 'empty'}")
    return queue.index(canonical_id(before))


def _renumber(conn: sqlite3.Connection, line: str, order_id: str, at: int) -> None:
    """Set the line's queue positions 1, 2, … with ``order_id`` at index ``at`` of the planned orders."""
    queue = [i for i in _queue(conn, line) if i != order_id]
    queue.insert(at, order_id)
    conn.executemany("UPDATE production_orders SET queue_position = ? WHERE id = ?",
                     [(i + 1, o) for i, o in enumerate(queue)])


def _record(conn: sqlite3.Connection, order_id: str, old: str, new: str, by: str, reason: str) -> None:
    conn.execute("INSERT INTO order_changes (order_id, at, field, old, new, requested_by, reason)"
                 " VALUES (?, ?, 'status', ?, ?, ?, ?)", (order_id, utc_now().isoformat(), old, new, by, reason))


def create_order(store: MesStore, conn: sqlite3.Connection, create: ProductionOrderCreate) -> ProductionOrderRecord:
    """A planned order of the configuration on its product's line, queued before the planned order ``before``
    (last when none), with its recipe (each setpoint a writable tag of the plant)."""
    product = conn.execute("SELECT * FROM products WHERE id = ?", (canonical_id(create.product),)).fetchone()
    if product is None:
        known = ", ".join(r["id"] for r in conn.execute("SELECT id FROM products ORDER BY id"))
        raise HTTPException(404, f"unknown product {create.product!r}; the MES has: {known}")
    for setpoint in create.recipe:
        tag = store.plant.tag(setpoint.machine_id, setpoint.tag)
        if not tag.writable:
            raise HTTPException(422, f"{tag.key} is not a writable setpoint; a recipe sets setpoints only")
    at = _queued_at(conn, product["line"], create.before)
    variant = _variant(conn, product["id"], create.colour, create.options)
    order_id = _next_order_id(conn, product["line"])
    conn.execute("INSERT INTO production_orders (id, line, product, variant, quantity, produced, status)"
                 " VALUES (?, ?, ?, ?, ?, 0, ?)", (order_id, product["line"], product["id"], variant, create.quantity,
                                                   ProductionOrderStatus.planned.value))
    _renumber(conn, product["line"], order_id, at)
    conn.executemany("INSERT INTO order_recipes (order_id, position, machine_id, tag, value) VALUES (?, ?, ?, ?, ?)",
                     [(order_id, i, store.plant.machine(s.machine_id).id, s.tag, s.value)
                      for i, s in enumerate(create.recipe)])
    _record(conn, order_id, "", ProductionOrderStatus.planned.value, create.requested_by, create.reason)
    return store.order_record(conn, store.order_row(conn, order_id))


def start_order(store: MesStore, conn: sqlite3.Connection, order_id: str,
                start: ProductionOrderStart) -> ProductionOrderRecord:
    """Switch the order's line to it: a planned order starts once the line's order in progress has made its
    quantity (that one is closed as done); 409 naming what stands in the way otherwise."""
    store.book_output(conn, store.live_values())
    row = store.order_row(conn, order_id)
    if ProductionOrderStatus(row["status"]) is not ProductionOrderStatus.planned:
        raise HTTPException(409, f"production order {row['id']} is {row['status']}; only a planned order can start")
    running = conn.execute("SELECT * FROM production_orders WHERE line = ? AND status = ? ORDER BY id",
                           (row["line"], ProductionOrderStatus.in_progress.value)).fetchall()
    for before in running:
        left = before["quantity"] - before["produced"]
        if left > 0:
            raise HTTPException(409, f"{before['id']} is still in progress on {row['line']} with {left} of "
                                     f"{before['quantity']} to make; {row['id']} starts once it is finished")
    for before in running:
        conn.execute("UPDATE production_orders SET status = ? WHERE id = ?",
                     (ProductionOrderStatus.done.value, before["id"]))
        _record(conn, before["id"], ProductionOrderStatus.in_progress.value, ProductionOrderStatus.done.value,
                start.requested_by, f"finished; line {row['line']} changed over to {row['id']}")
    conn.execute("UPDATE production_orders SET status = ? WHERE id = ?",
                 (ProductionOrderStatus.in_progress.value, row["id"]))
    _record(conn, row["id"], ProductionOrderStatus.planned.value, ProductionOrderStatus.in_progress.value,
            start.requested_by, start.reason)
    return store.order_record(conn, store.order_row(conn, row["id"]))


def order_recipe(store: MesStore, order_id: str) -> OrderRecipe:
    """The recipe the order was created with, in its order."""
    with store.db.read() as conn:
        row = store.order_row(conn, order_id)
        setpoints = [OrderSetpoint(machine_id=r["machine_id"], tag=r["tag"], value=r["value"]) for r in conn.execute(
            "SELECT * FROM order_recipes WHERE order_id = ? ORDER BY position", (row["id"],))]
    return OrderRecipe(order_id=row["id"], setpoints=setpoints)
