"""Which production order a request changes, and to what: by id, or by line, product, place in the sequence,
colour and options; its new variant and quantity."""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.catalogue import Variant
from connectors.plant import Plant
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from copilot.procedures.outcome import AskBack, Decided, Json, Stop, either
from copilot.procedures.values import counted_lines
from copilot.understanding.orders import OrderPlace, order_place_in
from tools.lines import spaced
from tools.production_orders import orders_told

__all__ = ["orders_at", "production_change"]


def production_change(plant: Plant, orders: list[ProductionOrderRecord] | None, order: str | None = None,
                      line: str | None = None,
                      product: str | None = None, variant: str | None = None, colour: str | None = None,
                      options: list[str] | None = None, without: list[str] | None = None,
                      quantity: int | None = None, added: float | None = None, said: str = "",
                      lang: str = "en") -> Decided:
    """Which order changes (the one named, or the running order of the line or product) and to what: the
    variant named, or the product's variant with that colour and those options, and/or the new quantity
    (the total asked, or the order's quantity with ``added`` more). Options ``without`` are taken off the order's
    variant: its colour and its other options (and those asked) name the variant it changes to.
    A colour and options only one product comes in name that product ("the coolant in red with the
    tamper-evident cap"); with a new quantity, a colour the order's variant already has describes the order
    ("the red coolant order: 500 more"), it does not change it; a colour the request says describes the order where
    the model gave none. The request (``said``) may name the order by its
    place: the running one, or the next one queued after it ("the red run queued after the current one"), by the
    colour it changes from ("switch the olive batch to sand"), and by its line's unit ("8500 kg": the line that
    counts in kg), read in ``lang``."""
    lines = counted_lines(said, lang, plant)
    orders = [o for o in orders or [] if o.line in lines] or orders or []
    counted = quantity is not None or bool(added)
    colour, from_colour = (colour or _colour_said(plant, said), None) if counted else _colours(plant, said, colour)
    if not (order or product) and (colour or options):
        makers = {p.id for p in plant.products for v in p.variants if _fits(v, colour, options)}
        product = makers.pop() if len(makers) == 1 else None
    described = (colour, options) if counted else (from_colour, None)
    if without:  # an option taken off describes the order: its variant has it
        described = (described[0], [*(described[1] or []), *without])
    chosen = _chosen_order(plant, orders, Wanted(order, line, product, order_place_in(said), *described))
    if quantity is None and added:
        quantity = int(chosen.quantity + added)
    changes: dict[str, Json] = {"order_id": chosen.id}
    notes = [f"order {chosen.id} ({chosen.product}, {spaced(chosen.status)})"]
    made = next((p for p in plant.products if p.id == chosen.product), None)
    variants = made.variants if made else []
    new = (_taken_off(chosen, variants, colour, options, without) if without and not variant
           else _new_variant(chosen, variants, variant, colour, options, quantity))
    if new is not None:
        changes["variant"] = new
    if quantity is not None:
        if quantity < chosen.produced:
            raise Stop(f"{chosen.id} has already produced {chosen.produced}; the quantity cannot go below that")
        changes["quantity"] = int(quantity)
    if len(changes) == 1:
        raise AskBack(f"What should change on {chosen.id}: the variant or the quantity?")
    if changes.get("variant") == chosen.variant and "quantity" not in changes:
        raise Stop(f"{chosen.id} already runs {chosen.variant}")
    notes += [f"{k} → {v}" for k, v in changes.items() if k != "order_id"]
    return Decided(changes, ", ".join(notes))


def orders_at(plant: Plant, orders: list[ProductionOrderRecord], said: str = "") -> Decided:
    """The orders at the place in their line's sequence the request (``said``) asks about: the running ones, or
    each line's next one; where it says a colour, on the lines running that colour ("what's lined up after the
    grey housings?"), or else of that colour ("the next coral batch"); all of them where it names no place."""
    place = order_place_in(said)
    if place is None:
        return Decided(orders, orders_told(orders))
    colour = _colour_said(plant, said)
    colours = {v.id: v.colour for p in plant.products for v in p.variants}
    running = [o for o in orders if o.status == ProductionOrderStatus.in_progress]
    lines = {o.line for o in running if colours.get(o.variant) == colour}
    queued = [o for o in orders if o.status == ProductionOrderStatus.planned
              and (lines or colour is None or colours.get(o.variant) == colour)]
    at = running if place is OrderPlace.running else [o for o in queued if o is next(q for q in queued
                                                                                   if q.line == o.line)]
    at = [o for o in at if o.line in lines] if lines else at
    return Decided(at, orders_told(at))


def _colour_said(plant: Plant, said: str) -> str | None:
    """The one colour of the plant's products the request says ("the olive one, make it 14000"), else None."""
    found = [c for c in plant.colours if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", said, re.IGNORECASE)]
    return found[0] if len(found) == 1 else None


def _colours(plant: Plant, said: str, colour: str | None) -> tuple[str | None, str | None]:
    """The colour asked for and the colour of the order it changes, where the request says two or more: the first
    it says is the order's; the one asked for is the model's where that is another, else the last it says ("switch
    the olive batch to sand", "the olive batch queued after the navy: in sand instead")."""
    found = sorted((m.start(), c) for c in plant.colours
                   if (m := re.search(rf"(?<!\w){re.escape(c)}(?!\w)", said, re.IGNORECASE)))
    named = [c for _, c in found]
    if len(named) < 2:
        return colour, None
    return (colour if colour in named and colour != named[0] else named[-1]), named[0]


@dataclass(frozen=True)
class Wanted:
    """How a request names a production order: its id; or its line, product, place in the sequence, and the colour
    and options its variant has (when the request changes its quantity, or takes an option off, they describe it)."""

    order: str | None = None
    line: str | None = None
    product: str | None = None
    place: OrderPlace | None = None
    colour: str | None = None
    options: list[str] | None = None


def _chosen_order(plant: Plant, orders: list[ProductionOrderRecord], wanted: Wanted) -> ProductionOrderRecord:
    """The order named; otherwise, among the open orders of the line and product, the one at the place named (the
    running one by default, or the next one queued on its line) whose variant fits the colour and options that
    describe it (of several that fit, the one at that place); asked back when not exactly one (among those that
    fit, where several do)."""
    if wanted.order:
        if (chosen := next((o for o in orders if o.id == wanted.order), None)) is None:
            raise Stop(f"production order {wanted.order} was not found")
        return chosen
    live = [o for o in orders if o.status in (ProductionOrderStatus.in_progress, ProductionOrderStatus.planned)
            and wanted.line in (None, o.line) and wanted.product in (None, o.product)]
    if wanted.place is OrderPlace.next:
        lines = dict.fromkeys(o.line for o in live)
        pool = [o for o in (next((o for o in live if o.line == line and o.status == ProductionOrderStatus.planned),
                                 None) for line in lines) if o is not None]
    else:
        pool = [o for o in live if o.status == ProductionOrderStatus.in_progress]
    fitting: list[ProductionOrderRecord] = []
    if wanted.colour or wanted.options:
        variants = {v.id: v for p in plant.products for v in p.variants}
        fitting = [o for o in (pool if wanted.place else live)
                   if _fits(variants.get(o.variant), wanted.colour, wanted.options)]
        if len(fitting) == 1 or len(placed := [o for o in fitting if o in pool]) == 1:
            return fitting[0] if len(fitting) == 1 else placed[0]
    if len(pool) != 1 or len(fitting) > 1:
        names = [o.id for o in (fitting or pool or live or orders)]
        raise AskBack(f"Which production order: {either(names)}?" if names else "Which production order?")
    return pool[0]


def _taken_off(chosen: ProductionOrderRecord, variants: list[Variant], colour: str | None,
               options: list[str] | None, without: list[str]) -> str:
    """The variant an order changes to when ``without`` are taken off: the order's colour (or the one asked) with
    exactly its other options and those asked."""
    current = next((v for v in variants if v.id == chosen.variant), None)
    if current is None or not set(without) & {o for v in variants for o in v.options}:
        raise Stop(f"{chosen.product} has no option {either([spaced(o) for o in without])} to take off")
    colour = colour or current.colour
    kept = {o for o in [*current.options, *(options or [])] if o not in without}
    exact = next((v for v in variants if v.colour == colour and set(v.options) == kept), None)
    if exact is None:
        raise Stop(f"{chosen.product} comes in no {colour} variant without {either([spaced(o) for o in without])}")
    return exact.id


def _new_variant(chosen: ProductionOrderRecord, variants: list[Variant], variant: str | None, colour: str | None,
                 options: list[str] | None, quantity: int | None) -> str | None:
    """The variant the order changes to: the one named, or its product's with that colour and those options;
    None for none, or for the order's own while its quantity changes. Stop or AskBack when none or several fit."""
    if variant:
        if variant not in {v.id for v in variants}:
            raise Stop(f"{chosen.product} has no variant {variant}; its variants are "
                       f"{either([v.id for v in variants])}")
        return variant
    current = next((v for v in variants if v.id == chosen.variant), None)
    if not (colour or options) or (quantity is not None and _fits(current, colour, options)):
        return None
    fitting = [v for v in variants if _fits(v, colour, options)]
    exact = [v for v in fitting if set(v.options) == set(options or [])]
    if not fitting:
        offered = ", ".join(f"{v.id} ({v.colour}{', ' + ', '.join(v.options) if v.options else ''})" for v in variants)
        raise Stop(f"{chosen.product} comes in no such variant; it has {offered}")
    if len(exact) == 1 or len(fitting) == 1:
        return (exact or fitting)[0].id
    raise AskBack(f"Which variant of {chosen.product}: {either([v.id for v in fitting])}?")


def _fits(variant, colour: str | None, options: list[str] | None) -> bool:
    return variant is not None and colour in (None, variant.colour) and set(options or []) <= set(variant.options)
