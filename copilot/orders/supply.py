"""Where a material comes from, by code: free stock (after what the orders queued ahead need), open purchase orders
by their delivery dates, then a purchase from an offer; and, for a material that comes too late, the substitutions
(another supplier, an alternate material PLM allows), the one that meets the due date at the least carbon marked."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from connectors.plm_records import Alternate
from connectors.records import PartOffer
from copilot.orders.result import Substitution, SubstitutionKind

PRECISION = 6  # decimals quantities are compared at: 0.1 + 0.2 covers 0.3


@dataclass(frozen=True)
class Stock:
    """What the ERP says of a material: stock, what the queued orders need of it, open purchase orders (delivery
    date, quantity) and the suppliers' offers (cheapest first)."""

    material: str
    name: str
    unit: str
    stock: float
    reserved: float
    open_orders: tuple[tuple[date, float], ...]
    offers: tuple[PartOffer, ...]

    @property
    def free(self) -> float:
        return round(self.stock - self.reserved, PRECISION)


@dataclass(frozen=True)
class Supply:
    """How a need is covered: open orders counted, what is bought from which offer, and the day it is all there
    (None: it cannot be had)."""

    on_order: float
    to_buy: int
    offer: PartOffer | None
    ready: date | None


def supply(stock: Stock, need: float, today: date, offer: PartOffer | None) -> Supply:
    """Cover ``need`` from free stock, then open orders in delivery order, then buying the rest from ``offer``."""
    covered, counted, ready = stock.free, 0.0, today
    for delivery, quantity in sorted(stock.open_orders):
        if round(covered, PRECISION) >= need:
            break
        covered, counted, ready = covered + quantity, counted + quantity, max(ready, delivery)
    short = round(need - covered, PRECISION)
    if short <= 0:
        return Supply(counted, 0, None, ready)
    if offer is None:
        return Supply(counted, 0, None, None)
    return Supply(counted, math.ceil(short), offer, max(ready, today + timedelta(days=offer.lead_time_days)))


def _substitution(kind: SubstitutionKind, stock: Stock, need: float, got: Supply,
                  finish_with: Callable[[date], date], due: date) -> Substitution | None:
    if got.ready is None:
        return None
    price, carbon = (got.offer.price, got.offer.carbon_kg) if got.offer else (0.0, 0.0)
    finish = finish_with(got.ready)
    return Substitution(kind=kind, material=stock.material, quantity=round(need, PRECISION), to_buy=got.to_buy,
                        supplier=got.offer.supplier if got.offer else None, cost=round(got.to_buy * price, 2),
                        carbon_kg=round(got.to_buy * carbon, 3), ready=got.ready, finish=finish,
                        meets_due=finish <= due)


def substitutions(stock: Stock, need: float, baseline: PartOffer | None, alternates: list[tuple[Alternate, Stock]],
                  today: date, finish_with: Callable[[date], date], due: date) -> tuple[Substitution, ...]:
    """Every other way to have a late material: its other suppliers, and each alternate (``ratio`` times the need)
    from its stock and open orders or from each of its offers. ``finish_with`` gives the order's finish when the
    material is ready on a day; the one meeting ``due`` at the least carbon, then cost, then day, is recommended."""
    found = [_substitution(SubstitutionKind.supplier, stock, need, supply(stock, need, today, offer), finish_with, due)
             for offer in stock.offers if offer != baseline]
    for alternate, alt_stock in alternates:
        alt_need = need * alternate.ratio
        covered = supply(alt_stock, alt_need, today, None)
        ways = [covered] if covered.ready is not None else [supply(alt_stock, alt_need, today, o)
                                                            for o in alt_stock.offers]
        found += [_substitution(SubstitutionKind.alternate, alt_stock, alt_need, way, finish_with, due)
                  for way in ways]
    offered = [s for s in found if s is not None]
    best = min((s for s in offered if s.meets_due), key=lambda s: (s.carbon_kg, s.cost, s.ready), default=None)
    return tuple(replace(s, recommended=True) if s is best else s for s in offered)
