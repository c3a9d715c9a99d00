"""A line's next order's turn, from what the MES and the PLC say: pure functions, no I/O.

The turn comes when no order on the line is still making units (the one in progress has made its quantity, or
none is in progress) and the first planned order of its queue has a recipe (kept by the MES) that asks the machines
for setpoints they are not at: the line must change over to it. An order without a recipe, or whose recipe the
machines already run, needs no changeover.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from connectors.configured_orders import OrderRecipe
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from copilot.monitor.detectors import Finding


def next_turn(orders: list[ProductionOrderRecord]) -> ProductionOrderRecord | None:
    """The line's next planned order (``orders`` in the MES's queue order) once none of them is still making
    units; None while one is, or when nothing is queued."""
    if any(o.status is ProductionOrderStatus.in_progress and o.remaining > 0 for o in orders):
        return None
    return next((o for o in orders if o.status is ProductionOrderStatus.planned), None)


def order_turn(detection: str, line_id: str, orders: list[ProductionOrderRecord], recipe: OrderRecipe,
               live: Mapping[tuple[str, str], float]) -> Finding | None:
    """The finding of the line's next order's turn (``recipe`` its recipe, ``live`` the machines' setpoints now,
    by machine and tag; one not read counts as a change), or None when no changeover is due."""
    turn = next_turn(orders)
    if turn is None or turn.id != recipe.order_id:
        return None
    changes = [(s, live.get((s.machine_id, s.tag))) for s in recipe.setpoints]
    changes = [(s, now) for s, now in changes if now is None or not math.isclose(now, s.value)]
    if not changes:
        return None
    made = [o for o in orders if o.status is ProductionOrderStatus.in_progress]
    before = f"{', '.join(f'{o.id} has made its {o.quantity}' for o in made)}; " if made else ""
    moves = ", ".join(f"{s.machine_id}.{s.tag} {'?' if now is None else f'{now:g}'} → {s.value:g}"
                      for s, now in changes)
    return Finding(line_id, detection, f"{before}{turn.id} ({turn.variant}, {turn.quantity}) is next and its recipe "
                                       f"changes the line: {moves}",
                   {"next_order": turn.id, "finished": ", ".join(o.id for o in made) or "none",
                    "setpoints": moves})
