"""Another option of the product for a material that comes too late, by code: the configurations one choice away
(another colour, or one option left off) that PLM's option rules allow, whose recipe stays within the limits and
whose bill of materials at the build date no longer takes the late material, each with its trade-off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from connectors.plant import Plant
from connectors.plm_records import EngineeringChange, PlmProduct
from copilot.orders.configuration import broken_rules, explode_bom, recipe_of
from copilot.orders.result import Substitution, SubstitutionKind
from copilot.orders.supply import PRECISION, Stock, Supply, supply


@dataclass(frozen=True)
class OptionContext:
    """What trying another configuration needs: the product and its engineering changes, the plant (recipe
    limits), the build date, each material's stock, how many units, today, the order's finish in a configuration
    when its materials are ready on a day (at that configuration's line time: its changeover and cycle time), and
    the due date."""

    product: PlmProduct
    changes: list[EngineeringChange]
    plant: Plant
    build_date: date
    stocks: dict[str, Stock]
    quantity: int
    today: date
    finish_of: Callable[[frozenset[str], date], date]
    due: date


def _neighbours(product: PlmProduct, features: frozenset[str], colour: str) -> list[tuple[frozenset[str], str]]:
    """The configurations one choice away, with the change in words."""
    found = [(features - {colour} | {other}, f"{other} instead of {colour}") for other in product.colours
             if other != colour]
    return found + [(features - {option}, f"without {option}") for option in product.option_ids if option in features]


def other_options(late: str, features: frozenset[str], colour: str, context: OptionContext) -> tuple[Substitution, ...]:
    """Each allowed configuration one choice away that avoids ``late``; its cost and carbon are those of what must
    be bought for its materials (cheapest offers), its days the finish when all of them are there, at its own
    cycle time and changeover. Never marked
    recommended: the customer must agree to another configuration."""
    product, found = context.product, []
    for other, change in _neighbours(product, features, colour):
        if broken_rules(product, other) or not all(s.within_limits for s in recipe_of(product, other, context.plant)):
            continue
        needs = explode_bom(product, context.changes, other, context.build_date)
        got = [_supplied(context, need.material, need.qty_per_unit) for need in needs]
        if any(n.material == late for n in needs) or any(g.ready is None for g in got):
            continue
        ready = max(g.ready for g in got if g.ready is not None)
        offers = [(g.to_buy, g.offer) for g in got if g.offer is not None]
        finish = context.finish_of(other, ready)
        found.append(Substitution(
            kind=SubstitutionKind.option, material=late, quantity=0.0, to_buy=sum(n for n, _ in offers),
            supplier=", ".join(dict.fromkeys(o.supplier for _, o in offers)) or None,
            cost=round(sum(n * o.price for n, o in offers), 2),
            carbon_kg=round(sum(n * o.carbon_kg for n, o in offers), 3),
            ready=ready, finish=finish, meets_due=finish <= context.due, option_change=change))
    return tuple(found)


def _supplied(context: OptionContext, material: str, qty_per_unit: float) -> Supply:
    """The material for the order from stock, open orders, then its cheapest offer."""
    stock = context.stocks[material]
    return supply(stock, round(qty_per_unit * context.quantity, PRECISION), context.today,
                  stock.offers[0] if stock.offers else None)
