"""Configure to order, checked by code: a customer's product, colour, options, quantity and due date against PLM
(option rules, BOM at the build date, recipe, routing), the ERP (stock, open purchase orders, offers) and the MES
(the orders queued on the line), with the substitutions for a material that comes too late.

Read-only: it changes nothing anywhere. ``today`` is the caller's (the plant's calendar), so a check is repeatable.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

from connectors.erp import ErpClient
from connectors.mes import MesClient
from connectors.plant import Plant
from connectors.plm import PlmClient
from connectors.plm_records import Alternate, PlmProduct
from connectors.records import FINAL_PRODUCTION_ORDER_STATUSES, ProductionOrderRecord, ProductionOrderStatus
from copilot.orders.capacity import LineTime, Run, day_of, finish_day, line_time
from copilot.orders.configuration import (
    ConfigurationError,
    MaterialNeed,
    broken_rules,
    explode_bom,
    features_of,
    recipe_of,
)
from copilot.orders.result import CapacityCheck, ConfigurationCheck, MaterialCheck, Verdict
from copilot.orders.supply import Stock, substitutions, supply


@dataclass(frozen=True)
class OrderRequest:
    """What a customer asks for: a product in a colour with options, how many, by when."""

    product: str
    colour: str
    options: tuple[str, ...]
    quantity: int
    due: date


@dataclass(frozen=True)
class Systems:
    """The connectors a check reads, and the plant file (the recipe's limits)."""

    plm: PlmClient
    erp: ErpClient
    mes: MesClient
    plant: Plant


async def check_configuration(request: OrderRequest, systems: Systems, today: date) -> ConfigurationCheck:
    """Whether the configuration can be built, and by when; ConfigurationError (one line) for a request that
    names what the product does not have, no quantity or a due date already past."""
    if request.quantity <= 0:
        raise ConfigurationError(f"the quantity must be at least 1, not {request.quantity}")
    if request.due < today:
        raise ConfigurationError(f"the due date {request.due} is already past (today is {today})")
    products = {p.id: p for p in await systems.plm.products()}
    product = products.get(request.product.strip().upper())
    if product is None:
        raise ConfigurationError(f"PLM knows no product {request.product!r}; it has: {', '.join(products) or 'none'}")
    features = features_of(product, request.colour, list(request.options))
    base = dict(product=product.id, colour=request.colour, options=tuple(request.options), quantity=request.quantity,
                due=request.due, today=today)
    breaches = broken_rules(product, features)
    if breaches:
        return ConfigurationCheck(**base, verdict=Verdict.rule_broken, broken_rules=breaches)
    recipe = recipe_of(product, features, systems.plant)
    if any(not s.within_limits for s in recipe):
        return ConfigurationCheck(**base, verdict=Verdict.recipe_beyond_limits, recipe=recipe)
    plan = await _plan(request, product, features, products, systems, today)
    finish = plan.finish()
    verdict = Verdict.on_time if finish is not None and finish <= request.due else Verdict.late
    return ConfigurationCheck(**base, verdict=verdict, recipe=recipe, materials=plan.materials,
                              capacity=plan.capacity, build_date=plan.capacity.line_free, finish=finish)


@dataclass(frozen=True)
class _Plan:
    capacity: CapacityCheck
    time: LineTime
    materials: tuple[MaterialCheck, ...]
    today: date

    def finish(self) -> date | None:
        """The order's finish once the line is free and every material is there; None if one cannot be had."""
        if any(m.ready is None for m in self.materials):
            return None
        ready = max([self.today, *(m.ready for m in self.materials if m.ready is not None)])
        return self.today + timedelta(days=finish_day(self.time, (ready - self.today).days,
                                                      self.capacity.hours_per_day))


async def _plan(request: OrderRequest, product: PlmProduct, features: frozenset[str],
                products: dict[str, PlmProduct], systems: Systems, today: date) -> _Plan:
    """The line's time for the order (an order queued of a product PLM does not know runs at this product's rate)
    and each material's supply, the stock less what every open production order still needs by today's BOM."""
    orders = [o for o in await systems.mes.list_production_orders()
              if o.status not in FINAL_PRODUCTION_ORDER_STATUSES and o.remaining > 0]
    variants = {v.id: v for p in await systems.mes.products() for v in p.variants}
    routing = product.routing
    queue = sorted((o for o in orders if o.line == routing.line),
                   key=lambda o: o.status is not ProductionOrderStatus.in_progress)

    def run_of(order: ProductionOrderRecord) -> Run:
        variant = variants[order.variant]
        run_features = frozenset([variant.colour, *variant.options])
        rate = products.get(order.product, product).routing.units_per_hour(run_features)
        return Run(order.id, variant.colour, run_features, order.remaining, rate)

    order_run = Run(None, request.colour, features, request.quantity, routing.units_per_hour(features))
    time = line_time(routing, [run_of(o) for o in queue], order_run)
    build_date = today + timedelta(days=day_of(time.queue_h, routing.hours_per_day))
    capacity = CapacityCheck(routing.line, routing.machine, tuple(o.id for o in queue), time.queue_h,
                             time.changeover_h, time.run_h, routing.hours_per_day, build_date)
    changes = await systems.plm.engineering_changes()
    reserved: dict[str, float] = {}
    for order in orders:
        if order.product in products:
            variant = variants[order.variant]
            for need in explode_bom(products[order.product], changes, frozenset([variant.colour, *variant.options]),
                                    today):
                reserved[need.material] = reserved.get(need.material, 0.0) + need.qty_per_unit * order.remaining
    needs = explode_bom(product, changes, features, build_date)
    alternates = [a for a in await systems.plm.alternates() if a.allowed(features)]
    materials = await _materials(needs, request, alternates, reserved, systems.erp, today, time, routing.hours_per_day)
    return _Plan(capacity, time, materials, today)


async def _stock(erp: ErpClient, material: str, reserved: dict[str, float]) -> Stock:
    part, open_orders = await asyncio.gather(erp.get_part(material),
                                             erp.list_purchase_orders(part=material, status="ordered"))
    return Stock(part.id, part.name, part.unit, part.stock, reserved.get(part.id, 0.0),
                 tuple((o.expected_delivery, float(o.quantity)) for o in open_orders),
                 tuple(sorted(part.offers, key=lambda o: o.price)))


async def _materials(needs: list[MaterialNeed], request: OrderRequest, alternates: list[Alternate],
                     reserved: dict[str, float], erp: ErpClient, today: date, time: LineTime,
                     hours_per_day: float) -> tuple[MaterialCheck, ...]:
    """Each material's check: its supply from the cheapest offer and, when that comes too late, its substitutions."""
    wanted = list(dict.fromkeys([*(n.material for n in needs), *(a.alternate for a in alternates)]))
    stocks = dict(zip(wanted, await asyncio.gather(*(_stock(erp, m, reserved) for m in wanted)), strict=True))

    def finish_with(ready: date) -> date:
        return today + timedelta(days=finish_day(time, (ready - today).days, hours_per_day))

    checks = []
    for need in needs:
        stock, total = stocks[need.material], need.qty_per_unit * request.quantity
        cheapest = stock.offers[0] if stock.offers else None
        got = supply(stock, total, today, cheapest)
        in_time = got.ready is not None and finish_with(got.ready) <= request.due
        subs = () if in_time else substitutions(
            stock, total, got.offer, [(a, stocks[a.alternate]) for a in alternates if a.material == need.material],
            today, finish_with, request.due)
        checks.append(MaterialCheck(
            material=stock.material, name=stock.name, unit=stock.unit, needed=round(total, 6), free_stock=stock.free,
            on_order=got.on_order, to_buy=got.to_buy, supplier=got.offer.supplier if got.offer else None,
            ready=got.ready, in_time=in_time, engineering_change=need.engineering_change, substitutions=subs))
    return tuple(checks)
