"""Decisions with one right answer, computed by code rather than left to the model.

Each decision is a pure function of a procedure's slots and earlier results (plain
JSON values, as the tools returned them) and, when it asks for it, the plant. It
returns :class:`Decided` (the value and a note the operator reads), or raises
:class:`Stop` (nothing to do, and why) or :class:`AskBack` (a value is missing or
ambiguous: the question for the operator). No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connectors.plant import Machine, Plant, Tag

Json = Any


@dataclass(frozen=True)
class Decided:
    value: Json
    note: str = ""


class Stop(Exception):
    """The procedure has nothing (more) to do; the reason is told to the operator."""


class AskBack(Exception):
    """A value the procedure needs is missing or ambiguous; the question goes to the operator."""


PREFERENCES = ("price", "lead_time", "carbon")
PRIORITIES = ("low", "medium", "high", "urgent")


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def resolution(tag: Tag) -> float:
    """The smallest step a tag's register holds (an integer register with scale 10 holds tenths)."""
    if tag.value_type in ("float32", "float64", "string", "bool"):
        return 0.001
    return 1.0 / ((tag.modbus.scale if tag.modbus else 1) or 1)


def _reading(status: Json, tag: str) -> float | None:
    for reading in (status or {}).get("tags", []):
        value = reading.get("value")
        if reading.get("tag") == tag and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def setpoint_targets(plant: Plant, machine: str, changes: list[Json] | None, status: Json, said: str = "") -> Decided:
    """The new value of each requested setpoint: absolute ("to 175"), or relative to the live value
    ("by -5", "10 percent slower"), rounded to what the register holds. A setpoint that is not named
    is the machine's only one, or asked back.

    The model sometimes files a change under the wrong setpoint ("run FL-202 ten percent slower" as its
    fill, or as HP-102's stroke rate, which the filler lacks). When the request (``said``, as the operator
    wrote it: the small model's English restatement adds units the operator never said, "auf 90" → "to 90
    ml") names no setpoint of the plant by its words or unit ("turn the heat down 5 degrees" names a
    temperature, which the pump the model chose has none of), and the change cannot go there (past its
    limits or its step) while exactly one other setpoint of the machine can take it, it is that one, and
    the answer says so; otherwise a setpoint the machine lacks is asked back, and one it has is left to the
    gate, which refuses it with the limit."""
    tags = {t.name: t for t in plant.machine(machine).setpoints}
    if not tags:
        raise Stop(f"{machine} has no writable setpoint")
    naming = plant.machine(machine)
    unnamed = not any(_names_setpoint(said, t, naming) for m in plant.machines.values() for t in m.setpoints)
    wanted: dict[str, Json] = {}
    notes: list[str] = []
    for change in changes or [{}]:
        name = change.get("tag")
        if name is None:
            if len(tags) > 1:
                raise AskBack(f"Which setpoint of {machine}: {_or(list(tags))}?")
            name = next(iter(tags))
        if name not in tags or not _reachable(tags[name], change, status):
            taken = {c.get("tag") for c in changes or [] if c is not change} | set(wanted)
            fitting = [t for t in tags if t != name and t not in taken and _reachable(tags[t], change, status)]
            if unnamed and len(fitting) == 1:
                why = "is not one of its setpoints" if name not in tags else "cannot take this change"
                notes.append(f"{machine} {name} {why} and the request names no setpoint: {fitting[0]}, which can")
                name = fitting[0]
            elif name not in tags:
                raise AskBack(f"{machine} has no setpoint {name}; its setpoints are {_or(list(tags))}. Which one?")
        wanted[name] = change
    targets = []
    for name, change in wanted.items():
        tag = tags[name]
        if change.get("to") is None and change.get("by") is None and change.get("percent") is None:
            raise AskBack(f"To what value, or by how much, should {machine} {name} change?")
        current = _reading(status, name)
        if change.get("to") is None and current is None:
            raise Stop(f"the live value of {machine} {name} could not be read, so a relative change cannot be computed")
        value, how = _target(tag, change, current)
        was = f"{current:g}" if current is not None else "?"
        if current is not None and abs(value - current) < resolution(tag) / 2:
            notes.append(f"{machine} {name} is already {value:g} {tag.unit}".rstrip())
            continue
        targets.append({"machine_id": machine, "tag": name, "value": value})
        notes.append(f"{machine} {name} {was} → {value:g} {tag.unit} ({how})".replace(" (absolute)", "").strip())
    if not targets:
        raise Stop("; ".join(notes) + ": nothing to change")
    return Decided(targets, "; ".join(notes))


def _target(tag: Tag, change: Json, current: float | None) -> tuple[float, str]:
    """The value a change asks of a setpoint, rounded to its register, and how it was asked."""
    to, by, percent = change.get("to"), change.get("by"), change.get("percent")
    if to is not None:
        value, how = float(to), "absolute"
    elif by is not None:
        value, how = current + float(by), f"{float(by):+g} {tag.unit}".rstrip()
    else:
        value, how = current * (1 + float(percent) / 100), f"{float(percent):+g} %"
    step = resolution(tag)
    return round(round(value / step) * step, 3), how


def _reachable(tag: Tag, change: Json, status: Json) -> bool:
    """Whether one write can take this setpoint where the change asks: inside its limits and its step."""
    current = _reading(status, tag.name)
    if change.get("to") is None and (current is None or (change.get("by") is None and change.get("percent") is None)):
        return False
    value, _ = _target(tag, change, current)
    inside = (tag.min is None or value >= tag.min) and (tag.max is None or value <= tag.max)
    return inside and (tag.max_step is None or current is None or abs(value - current) <= tag.max_step)


def _names_setpoint(said: str, tag: Tag, machine: Machine) -> bool:
    """Whether a request names a setpoint: a word of its name ("fill", "temp" in "temperature") or its unit
    ("ml", "bar", "degrees" for degC); the words that name the machine ("the filler") do not count."""
    naming = set(re.findall(r"[a-z]+", f"{machine.name} {machine.kind}".lower()))
    words = [w for w in re.findall(r"[a-z]+", said.lower()) if w not in naming]
    own = [w for w in tag.name.lower().split("_") if w not in ("setpoint", "set", "point") and len(w) >= 3]
    unit = tag.unit.lower()
    if unit.isalpha():  # "ml", or an abbreviation a word begins with ("degrees" for degC)
        said_unit = any(w == unit or (len(unit) >= 3 and w.startswith(unit[:3])) for w in words)
    else:  # "m/min" as written ("minute" alone is every speed's)
        said_unit = bool(unit) and re.search(rf"(?<![a-z]){re.escape(unit)}(?![a-z])", said.lower()) is not None
    return said_unit or any(w.startswith(o) for w in words for o in own)


def _excess(alarm: Json) -> float | None:
    value, threshold = alarm.get("value"), alarm.get("threshold")
    if isinstance(value, (int, float)) and isinstance(threshold, (int, float)) and threshold:
        return abs(value - threshold) / abs(threshold)
    return None


def work_order(plant: Plant, machine: str, status: Json, open_orders: list[Json] | None,
               symptom: str | None = None, priority: str | None = None, parts: bool | None = None) -> Decided:
    """The work order to open, or none when one is already open for the machine. Its priority is the
    requested one, or follows how far a reading is past its alarm limit (over half past: urgent; past:
    high; a PLC alarm alone: high; none: medium); its parts are the machine's bill of materials when asked."""
    existing = [o for o in open_orders or [] if o.get("machine_id") == machine]
    if existing:
        first = existing[0]
        raise Stop(f"work order {first.get('id')} ({first.get('title')}, {first.get('priority')}, "
                   f"{first.get('status')}) is already open for {machine}: no second one was opened")
    alarms = (status or {}).get("alarms", [])
    excesses = [e for e in (_excess(a) for a in alarms) if e is not None]
    if priority in PRIORITIES:
        chosen, why = priority, "as asked"
    elif excesses and max(excesses) > 0.5:
        chosen, why = "urgent", f"a reading is {max(excesses):.0%} past its alarm limit"
    elif alarms:
        chosen = "high"
        why = f"a reading is {max(excesses):.0%} past its alarm limit" if excesses else "the PLC reports an alarm"
    else:
        chosen, why = "medium", "no alarm is active"
    subject = (symptom or "").strip() or (alarms[0]["message"] if alarms else "inspection requested by the operator")
    title = f"{machine}: {subject}"[:120]
    facts = [a["message"] for a in alarms] or ["no active alarm"]
    description = f"State {(status or {}).get('state', 'unknown')}. " + "; ".join(facts) + "."
    bom = [{"part": line.part, "qty": line.qty} for line in plant.machine(machine).bom] if parts else []
    return Decided({"title": title if len(title) >= 3 else f"{machine}: fault", "description": description[:2000],
                    "priority": chosen, "parts": bom}, f"priority {chosen}: {why}")


def _tie_break(preference: str) -> Callable[[Json], tuple]:
    keys = {"price": ("price", "lead_time_days"), "lead_time": ("lead_time_days", "price"),
            "carbon": ("carbon_kg", "price")}[preference]
    return lambda o: (o[keys[0]], o[keys[1]], o["supplier"])


def supplier_for(part: Json, preference: str | None = None, supplier: str | None = None) -> Decided:
    """The supplier named, or the best offer by price, lead time or carbon; a tie goes to the better second
    key (lead time for price, price otherwise), then the supplier id, so the choice is always the same."""
    offers = part.get("offers") or []
    if not offers:
        raise Stop(f"no supplier offers {part.get('id')}")
    if supplier:
        offer = next((o for o in offers if o["supplier"] == supplier), None)
        if offer is None:
            raise Stop(f"{supplier} does not offer {part.get('id')}; offers come from {_or([o['supplier'] for o in offers])}")
        return Decided(offer["supplier"], f"supplier {supplier} as asked ({offer['price']:.2f} each)")
    preference = preference if preference in PREFERENCES else "price"
    ranked = sorted(offers, key=_tie_break(preference))
    best = ranked[0]
    field = {"price": "price", "lead_time": "lead_time_days", "carbon": "carbon_kg"}[preference]
    tied = [o["supplier"] for o in ranked[1:] if o[field] == best[field]]
    label = {"price": "lowest price", "lead_time": "shortest lead time", "carbon": "lowest carbon"}[preference]
    note = (f"supplier {best['supplier']}: {label} ({best['price']:.2f} each, {best['lead_time_days']} days, "
            f"{best['carbon_kg']:g} kg CO2e)")
    if tied:
        note += f"; tied with {', '.join(tied)} on {label.split()[-1]}, chosen by the next criterion"
    return Decided(best["supplier"], note)


def order_quantity(part: Json, quantity: int | None = None) -> Decided:
    """The quantity asked for; otherwise the part's reorder quantity when stock and open orders are at or
    below its reorder point, and nothing when they are above it."""
    if quantity is not None:
        if quantity <= 0:
            raise AskBack(f"How many {part.get('id')} should be ordered?")
        return Decided(int(quantity), f"quantity {quantity} as asked")
    stock, point, on_order = part.get("stock", 0), part.get("reorder_point", 0), part.get("on_order", 0)
    if stock + on_order > point:
        raise Stop(f"{part.get('id')}: {stock} in stock" + (f" and {on_order} on order" if on_order else "")
                   + f", above its reorder point {point}: nothing to order (say how many to order anyway)")
    qty = int(part.get("reorder_qty", 1))
    return Decided(qty, f"quantity {qty}: the reorder quantity, as stock {stock}"
                        + (f" + {on_order} on order" if on_order else "") + f" is at or below the reorder point {point}")


def purchase(part: Json, quantity: int | None = None, preference: str | None = None, supplier: str | None = None) -> Decided:
    """What to order of one part: how many and from whom."""
    qty = order_quantity(part, quantity)
    chosen = supplier_for(part, preference, supplier)
    return Decided({"part_id": part["id"], "quantity": qty.value, "supplier_id": chosen.value}, f"{qty.note}; {chosen.note}")


def reorders(plant: Plant, machine: str, stock: list[Json] | None, preference: str | None = None) -> Decided:
    """The machine's bill-of-materials parts at or below their reorder point, each with its reorder quantity
    and best supplier; none when all are stocked."""
    bom = {line.part for line in plant.machine(machine).bom}
    orders, notes = [], []
    for part in stock or []:
        if part.get("id") not in bom:
            continue
        try:
            order = purchase(part, None, preference)
        except Stop as why:
            notes.append(str(why).split(" (")[0])
            continue
        orders.append(order.value)
        notes.append(f"{part['id']}: {order.note}")
    return Decided(orders, "; ".join(notes) or f"no spare parts are listed for {machine}")


def run_command(plant: Plant, machine: str, command: str | None, status: Json) -> Decided:
    """Start or stop, checked against the machine's live state (no start of a running machine)."""
    if command not in ("start", "stop"):
        raise AskBack(f"Should {machine} be started or stopped?")
    state = (status or {}).get("state")
    if command == "start" and state == "running":
        raise Stop(f"{machine} is already running")
    if command == "stop" and state == "stopped":
        raise Stop(f"{machine} is already stopped")
    return Decided({command: True}, f"{command} {machine} (now {state})")


def production_change(plant: Plant, orders: list[Json] | None, order: str | None = None, line: str | None = None,
                      product: str | None = None, variant: str | None = None, colour: str | None = None,
                      options: list[str] | None = None, quantity: int | None = None,
                      added: float | None = None) -> Decided:
    """Which order changes (the one named, or the running order of the line or product) and to what: the
    variant named, or the product's variant with that colour and those options, and/or the new quantity
    (the total asked, or the order's quantity with ``added`` more).
    A colour and options only one product comes in name that product ("the coolant in red with the
    tamper-evident cap"); with a new quantity, a colour the order's variant already has describes the order
    ("the red coolant order: 500 more"), it does not change it."""
    orders = orders or []
    if not (order or product) and (colour or options):
        makers = {p.id for p in plant.products for v in p.variants if _fits(v, colour, options)}
        product = makers.pop() if len(makers) == 1 else None
    if order:
        chosen = next((o for o in orders if o["id"] == order), None)
        if chosen is None:
            raise Stop(f"production order {order} was not found")
    else:
        running = [o for o in orders if o["status"] == "in_progress" and line in (None, o["line"])
                   and product in (None, o["product"])]
        if len(running) != 1:
            names = [o["id"] for o in (running or orders)]
            raise AskBack(f"Which production order: {_or(names)}?" if names else "Which production order?")
        chosen = running[0]
    if quantity is None and added:
        quantity = int(chosen["quantity"] + added)
    changes: dict[str, Json] = {"order_id": chosen["id"]}
    notes = [f"order {chosen['id']} ({chosen['product']}, {chosen['status']})"]
    product = next((p for p in plant.products if p.id == chosen["product"]), None)
    variants = product.variants if product else []
    current = next((v for v in variants if v.id == chosen["variant"]), None)
    if variant:
        if variant not in {v.id for v in variants}:
            raise Stop(f"{chosen['product']} has no variant {variant}; its variants are {_or([v.id for v in variants])}")
        changes["variant"] = variant
    elif (colour or options) and not (quantity is not None and _fits(current, colour, options)):
        fitting = [v for v in variants if _fits(v, colour, options)]
        exact = [v for v in fitting if set(v.options) == set(options or [])]
        if not fitting:
            offered = ", ".join(f"{v.id} ({v.colour}{', ' + ', '.join(v.options) if v.options else ''})" for v in variants)
            raise Stop(f"{chosen['product']} comes in no such variant; it has {offered}")
        if len(exact) == 1 or len(fitting) == 1:
            changes["variant"] = (exact or fitting)[0].id
        else:
            raise AskBack(f"Which variant of {chosen['product']}: {_or([v.id for v in fitting])}?")
    if quantity is not None:
        if quantity < chosen.get("produced", 0):
            raise Stop(f"{chosen['id']} has already produced {chosen['produced']}; the quantity cannot go below that")
        changes["quantity"] = int(quantity)
    if len(changes) == 1:
        raise AskBack(f"What should change on {chosen['id']}: the variant or the quantity?")
    if changes.get("variant") == chosen["variant"] and "quantity" not in changes:
        raise Stop(f"{chosen['id']} already runs {chosen['variant']}")
    notes += [f"{k} → {v}" for k, v in changes.items() if k != "order_id"]
    return Decided(changes, ", ".join(notes))


def _fits(variant, colour: str | None, options: list[str] | None) -> bool:
    return variant is not None and colour in (None, variant.colour) and set(options or []) <= set(variant.options)


DECISIONS: dict[str, Callable[..., Decided]] = {
    f.__name__: f
    for f in (setpoint_targets, work_order, purchase, reorders, run_command, production_change)
}
