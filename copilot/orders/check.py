"""Configure to order, checked by code: a customer's product, colour, options, quantity and due date against what
``tools.configuration_facts`` read from PLM (option rules, BOM at the build date, recipe, routing), the ERP (stock,
open purchase orders, offers) and the MES (the orders queued on the line), with the substitutions for a material
that comes too late. A pure function of those facts and the plant file (the recipe's limits): no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from connectors.plant import Plant
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from copilot.orders.capacity import LineTime, Run, day_of, finish_day, line_time
from copilot.orders.configuration import (
    ConfigurationError,
    MaterialNeed,
    broken_rules,
    explode_bom,
    features_of,
    recipe_of,
)
from copilot.orders.options import OptionContext, other_options
from copilot.orders.queue import line_orders
from copilot.orders.result import CapacityCheck, ConfigurationCheck, MaterialCheck, OrderRequest, Verdict
from copilot.orders.sequence import LineOrder, LineSequence, QueuePlace, queue_place, sequence_line
from copilot.orders.supply import Stock, substitutions, supply
from tools.configuration_facts import ConfigurationFacts


def check_configuration(request: OrderRequest, facts: ConfigurationFacts, plant: Plant) -> ConfigurationCheck:
    """Whether the configuration can be built, and by when (``facts.today`` is day 0); ConfigurationError (one
    line) for a request naming what the product does not have, no quantity or a due date already past."""
    today, product = facts.today, facts.product
    if request.product.strip().upper() != product.id:
        raise ConfigurationError(f"these facts are of {product.id}, not of {request.product!r}")
    if request.quantity <= 0:
        raise ConfigurationError(f"the quantity must be at least 1, not {request.quantity}")
    if request.due < today:
        raise ConfigurationError(f"the due date {request.due} is already past (today is {today})")
    features = features_of(product, request.colour, list(request.options))
    base = dict(request=replace(request, product=product.id, options=tuple(request.options)), today=today)
    breaches = broken_rules(product, features)
    if breaches:
        return ConfigurationCheck(**base, verdict=Verdict.rule_broken, broken_rules=breaches)
    recipe = recipe_of(product, features, plant)
    if any(not s.within_limits for s in recipe):
        return ConfigurationCheck(**base, verdict=Verdict.recipe_beyond_limits, recipe=recipe)
    plan = _plan(request, features, facts, plant)
    finish = plan.finish()
    verdict = Verdict.on_time if finish is not None and finish <= request.due else Verdict.late
    sequenced, place = _sequence(request, features, facts)
    return ConfigurationCheck(**base, verdict=verdict, recipe=recipe, materials=plan.materials,
                              capacity=plan.capacity, build_date=plan.capacity.line_free, finish=finish,
                              sequence=sequenced, place=place)


def _sequence(request: OrderRequest, features: frozenset[str],
              facts: ConfigurationFacts) -> tuple[LineSequence, QueuePlace | None]:
    """The line's queue with the order added last, sequenced, and the order's place in it with its changeover."""
    product, routing = facts.product, facts.product.routing
    queued = line_orders(facts.orders, routing.line, facts.products, facts.mes_products, product)
    order = LineOrder(Run(None, request.colour, features, request.quantity, routing.units_per_hour(features)),
                      request.due)
    sequenced = sequence_line(routing.line, routing, [*queued, order], facts.today)
    return sequenced, queue_place(sequenced, [*queued, order], routing)


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


def _plan(request: OrderRequest, features: frozenset[str], facts: ConfigurationFacts, plant: Plant) -> _Plan:
    """The line's time for the order (an order queued of a product PLM does not know runs at this product's rate)
    and each material's supply, the stock less what every open production order still needs by today's BOM."""
    today, product, routing = facts.today, facts.product, facts.product.routing
    products = {p.id: p for p in facts.products}
    variants = {v.id: frozenset([v.colour, *v.options]) for p in facts.mes_products for v in p.variants}
    colours = {v.id: v.colour for p in facts.mes_products for v in p.variants}
    open_orders = [o for o in facts.orders if o.remaining > 0]
    queue = sorted((o for o in open_orders if o.line == routing.line),
                   key=lambda o: o.status is not ProductionOrderStatus.in_progress)

    def run_of(order: ProductionOrderRecord) -> Run:
        rate = products.get(order.product, product).routing.units_per_hour(variants[order.variant])
        return Run(order.id, colours[order.variant], variants[order.variant], order.remaining, rate)

    queue_runs = [run_of(o) for o in queue]

    def timed(configuration: frozenset[str]) -> LineTime:
        """The line's time for the order in a configuration: its changeover and its run at that configuration's
        cycle time (its options' own where they slow it)."""
        colour = next(c for c in product.colours if c in configuration)
        return line_time(routing, queue_runs, Run(None, colour, configuration, request.quantity,
                                                  routing.units_per_hour(configuration)))

    time = timed(features)
    build_date = today + timedelta(days=day_of(time.queue_h, routing.hours_per_day))
    capacity = CapacityCheck(routing.line, routing.machine, tuple(o.id for o in queue), time.queue_h,
                             time.changeover_h, time.run_h, routing.hours_per_day, build_date)
    reserved: dict[str, float] = {}
    for order in (o for o in open_orders if o.product in products):
        for need in explode_bom(products[order.product], facts.engineering_changes, variants[order.variant], today):
            reserved[need.material] = reserved.get(need.material, 0.0) + need.qty_per_unit * order.remaining
    needs = explode_bom(product, facts.engineering_changes, features, build_date)
    materials = _materials(needs, request, features, reserved, facts, timed, (plant, build_date))
    return _Plan(capacity, time, materials, today)


def _stocks(facts: ConfigurationFacts, reserved: dict[str, float]) -> dict[str, Stock]:
    """Each material the facts hold, as the supply sees it (offers cheapest first)."""
    return {part.id: Stock(part.id, part.name, part.unit, part.stock, reserved.get(part.id, 0.0),
                           tuple((o.expected_delivery, float(o.quantity))
                                 for o in facts.purchase_orders if o.part == part.id),
                           tuple(sorted(part.offers, key=lambda o: o.price)))
            for part in facts.materials}


def _materials(needs: list[MaterialNeed], request: OrderRequest, features: frozenset[str],
               reserved: dict[str, float], facts: ConfigurationFacts, timed: Callable[[frozenset[str]], LineTime],
               built: tuple[Plant, date]) -> tuple[MaterialCheck, ...]:
    """Each material's check: its supply from the cheapest offer and, when that comes too late, its substitutions
    (another option of the product among them, re-timed at its own cycle time, checked against the plant and the
    build date in ``built``)."""
    today, hours_per_day = facts.today, facts.product.routing.hours_per_day
    stocks = _stocks(facts, reserved)
    alternates = [a for a in facts.alternates if a.allowed(features)]

    def finish_of(configuration: frozenset[str], ready: date) -> date:
        return today + timedelta(days=finish_day(timed(configuration), (ready - today).days, hours_per_day))

    def finish_with(ready: date) -> date:
        return finish_of(features, ready)

    checks = []
    for need in needs:
        stock, total = stocks[need.material], need.qty_per_unit * request.quantity
        got = supply(stock, total, today, stock.offers[0] if stock.offers else None)
        in_time = got.ready is not None and finish_with(got.ready) <= request.due
        subs = () if in_time else substitutions(
            stock, total, got.offer, [(a, stocks[a.alternate]) for a in alternates if a.material == need.material],
            today, finish_with, request.due)
        if not in_time:
            subs += other_options(need.material, features, request.colour, OptionContext(
                facts.product, facts.engineering_changes, *built, stocks, request.quantity, today,
                finish_of, request.due))
        checks.append(MaterialCheck(
            material=stock.material, name=stock.name, unit=stock.unit, needed=round(total, 6), free_stock=stock.free,
            on_order=got.on_order, to_buy=got.to_buy, supplier=got.offer.supplier if got.offer else None,
            ready=got.ready, in_time=in_time, engineering_change=need.engineering_change, substitutions=subs))
    return tuple(checks)
