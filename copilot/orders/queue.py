"""A line's MES orders as the sequencer's typed orders: each with its colour and features (from the MES's
variants), its units left at its product's rate (PLM's routing; a product PLM does not know runs at the line's
product's rate), its due date, and whether it is in progress."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.plm_records import PlmProduct
from connectors.records import ProductionOrderRecord, ProductionOrderStatus, ProductRecord
from copilot.orders.capacity import Run
from copilot.orders.configuration import ConfigurationError
from copilot.orders.sequence import LineOrder


def line_product(line_id: str, products: Iterable[PlmProduct]) -> PlmProduct:
    """The first PLM product made on the line: its routing's changeover matrix sequences the line; one line
    ConfigurationError when PLM has none."""
    found = next((p for p in products if p.routing.line == line_id), None)
    if found is None:
        raise ConfigurationError(f"PLM has no product made on line {line_id}, so no changeover data to sequence it by")
    return found


def line_orders(orders: Iterable[ProductionOrderRecord], line_id: str, products: Iterable[PlmProduct],
                mes_products: Iterable[ProductRecord], default: PlmProduct) -> list[LineOrder]:
    """The line's open orders with units left, the one in progress first, then the MES's order (first come)."""
    by_id = {p.id: p for p in products}
    variants = {v.id: v for p in mes_products for v in p.variants}
    open_orders = sorted((o for o in orders if o.line == line_id and o.remaining > 0),
                         key=lambda o: o.status is not ProductionOrderStatus.in_progress)
    found = []
    for order in open_orders:
        variant = variants[order.variant]
        features = frozenset([variant.colour, *variant.options])
        rate = by_id.get(order.product, default).routing.units_per_hour(features)
        found.append(LineOrder(Run(order.id, variant.colour, features, order.remaining, rate), order.due,
                               order.status is ProductionOrderStatus.in_progress))
    return found
