"""Decisions with one right answer, computed by code rather than left to the model.

Each decision is a pure function of a procedure's slots and earlier results (typed as
the tools declare them: :func:`decide` validates the JSON the run keeps into the types
a decision's parameters name) and, when it asks for it, the plant. It returns
:class:`Decided` (the value and a note the operator reads), or raises
:class:`Stop` (nothing to do, and why) or :class:`AskBack` (a value is missing or
ambiguous: the question for the operator). No I/O.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from connectors.plant import Machine, Plant, Tag, drives, tag_words
from connectors.records import SparePart, WorkOrder
from copilot.orders.configuration import ConfigurationError
from copilot.orders.queue import line_orders, line_product
from copilot.orders.said import said
from copilot.orders.sequence import sequence_line
from copilot.procedures.acceptance import accept_order, changeover, checked, recipe_machines
from copilot.procedures.correction import correction, fell_back
from copilot.procedures.outcome import AskBack, Decided, Json, Stop, either
from copilot.procedures.production import orders_at, production_change
from copilot.procedures.register import resolution
from copilot.quality.root_cause import explain
from copilot.understanding.choices import Preference
from tools.configuration_facts import ConfigurationFacts
from tools.create_purchase_order import ranked_offers
from tools.line_history import DEFECT_RATE, LineHistory
from tools.line_queue import LineQueue
from tools.lines import spaced, symbol
from tools.live import Alarm
from tools.machine_status import MachineStatus

PREFERENCES = tuple(p.value for p in Preference)
PRIORITIES = ("low", "medium", "high", "urgent")


def _reading(status: MachineStatus | None, tag: str) -> float | None:
    for reading in status.tags if status else []:
        value = reading.value
        if reading.tag == tag and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def setpoint_targets(plant: Plant, machine: str, changes: list[Json] | None, status: MachineStatus | None,
                     said: str = "") -> Decided:
    """The new value of each requested setpoint: absolute ("to 175"), or relative to the live value
    ("by -5", "10 percent slower"), rounded to what the register holds. A setpoint that is not named
    is the machine's only one, or asked back.

    The model sometimes files a change under the wrong setpoint ("run FL-202 ten percent slower" as its
    fill, or as HP-102's stroke rate, which the filler lacks). When the request (``said``, as the operator
    wrote it: the small model's English restatement adds units the operator never said, "auf 90" → "to 90
    ml") names no setpoint of the plant by its words or unit ("turn the heat down 5 degrees" names a
    temperature, which the pump the model chose has none of), and the change cannot go there (past its
    limits or its step) while exactly one other setpoint of the machine can take it, it is that one, and
    the answer says so, and where several can, which is asked back; otherwise a setpoint the machine lacks is
    asked back, and one it has is left to the gate, which refuses it with the limit."""
    tags = {t.name: t for t in plant.machine(machine).setpoints}
    if not tags:
        raise Stop(f"{machine} has no writable setpoint")
    naming = plant.machine(machine)
    unnamed = not any(_names_setpoint(said, t, naming) for m in plant.machines.values() for t in m.setpoints)
    notes: list[str] = []
    wanted = _wanted_setpoints(machine, tags, changes, status, unnamed, notes)
    targets = [target for name, change in wanted.items()
               if (target := _setpoint_target(machine, tags[name], change, status, notes)) is not None]
    if not targets:
        raise Stop("; ".join(notes) + ": nothing to change")
    return Decided(targets, "; ".join(notes))


def _wanted_setpoints(machine: str, tags: dict[str, Tag], changes: list[Json] | None, status: MachineStatus | None,
                      unnamed: bool, notes: list[str]) -> dict[str, Json]:
    """Each change under its setpoint (see :func:`setpoint_targets`), a change moved to another noted in ``notes``."""
    wanted: dict[str, Json] = {}
    for change in changes or [{}]:
        name = _named_setpoint(machine, tags, change)
        if name in tags and _reachable(tags[name], change, status):
            wanted[name] = change
            continue
        taken = {c.get("tag") for c in changes or [] if c is not change} | set(wanted)
        fitting = [t for t in tags if t != name and t not in taken and _reachable(tags[t], change, status)]
        if unnamed and len(fitting) == 1:
            why = "is not one of its setpoints" if name not in tags else "cannot take this change"
            notes.append(f"{machine} {tag_words(name)} {why} and the request names no setpoint: "
                         f"{tags[fitting[0]].words}, which can")
            name = fitting[0]
        elif unnamed and name in tags and fitting:
            raise AskBack(f"{machine} {tags[name].words} cannot take this change; which setpoint did you mean: "
                          f"{either([tags[t].words for t in fitting])}?")
        elif name not in tags:
            missing = tag_words(str(name))
            raise AskBack(f"{machine} has no {missing if missing.endswith('setpoint') else missing + ' setpoint'}; "
                          f"its setpoints are "
                          f"{either([t.words for t in tags.values()])}. Which one?")
        wanted[name] = change
    return wanted


def _named_setpoint(machine: str, tags: dict[str, Tag], change: Json) -> str:
    """The setpoint a change names, or the machine's only one; asked back when it names none of several."""
    name = change.get("tag")
    if name is None and len(tags) > 1:
        raise AskBack(f"Which setpoint of {machine}: {either([t.words for t in tags.values()])}?")
    return next(iter(tags)) if name is None else name


def _setpoint_target(machine: str, tag: Tag, change: Json, status: MachineStatus | None,
                     notes: list[str]) -> dict[str, Json] | None:
    """The write a change asks of its setpoint, its note added to ``notes``; None when it holds the value already."""
    name = tag.name
    if change.get("to") is None and change.get("by") is None and change.get("percent") is None:
        raise AskBack(f"To what value, or by how much, should {machine} {tag.words} change?")
    current = _reading(status, name)
    if change.get("to") is None and current is None:
        raise Stop(f"the live value of {machine} {tag.words} could not be read, so a relative change cannot be "
                   f"computed")
    value, how = _target(tag, change, current)
    was = f"{current:g}" if current is not None else "?"
    if current is not None and abs(value - current) < resolution(tag) / 2:
        notes.append(f"{machine} {tag.words} is already {value:g} {symbol(tag.unit)}".rstrip())
        return None
    notes.append(f"{machine} {tag.words} {was} → {value:g} {symbol(tag.unit)} ({how})".replace(" (absolute)", "")
                 .strip())
    return {"machine_id": machine, "tag": name, "value": value}


def _target(tag: Tag, change: Json, current: float | None) -> tuple[float, str]:
    """The value a change asks of a setpoint, rounded to its register, and how it was asked."""
    to, by, percent = change.get("to"), change.get("by"), change.get("percent")
    if to is not None:
        value, how = float(to), "absolute"
    elif by is not None:
        value, how = current + float(by), f"{float(by):+g} {symbol(tag.unit)}".rstrip()
    else:
        value, how = current * (1 + float(percent) / 100), f"{float(percent):+g} %"
    step = resolution(tag)
    return round(round(value / step) * step, 3), how


def _reachable(tag: Tag, change: Json, status: MachineStatus | None) -> bool:
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


def _excess(alarm: Alarm) -> float | None:
    value, threshold = alarm.value, alarm.threshold
    if isinstance(value, (int, float)) and isinstance(threshold, (int, float)) and threshold:
        return abs(value - threshold) / abs(threshold)
    return None


def work_order(plant: Plant, machine: str, status: MachineStatus | None, open_orders: list[WorkOrder] | None,
               symptom: str | None = None, priority: str | None = None, parts: bool | None = None) -> Decided:
    """The work order to open, or none when one is already open for the machine. Its priority is the
    requested one, or follows how far a reading is past its alarm limit (over half past: urgent; past:
    high; a PLC alarm alone: high; none: medium); its parts are the machine's bill of materials when asked."""
    existing = [o for o in open_orders or [] if o.machine_id == machine]
    if existing:
        first = existing[0]
        raise Stop(f"work order {first.id} ({first.title}, {first.priority}, "
                   f"{spaced(first.status)}) is already open for {machine}: no second one was opened")
    alarms = status.alarms if status else []
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
    subject = (symptom or "").strip() or (alarms[0].message if alarms else "inspection requested by the operator")
    title = f"{machine}: {subject}"[:120]
    facts = [a.message for a in alarms] or ["no active alarm"]
    description = f"State {status.state if status else 'unknown'}. " + "; ".join(facts) + "."
    bom = [{"part": line.part, "qty": line.qty} for line in plant.machine(machine).bom] if parts else []
    return Decided({"title": title if len(title) >= 3 else f"{machine}: fault", "description": description[:2000],
                    "priority": chosen, "parts": bom}, f"priority {chosen}: {why}")


def supplier_for(part: SparePart, preference: str | None = None, supplier: str | None = None) -> Decided:
    """The supplier named, or the best offer by price, lead time or carbon, ties broken as the purchase order
    tool breaks them (:func:`tools.create_purchase_order.ranked_offers`), so the choice is always the same."""
    offers = part.offers
    if not offers:
        raise Stop(f"no supplier offers {part.id}")
    if supplier:
        offer = next((o for o in offers if o.supplier == supplier), None)
        if offer is None:
            raise Stop(f"{supplier} does not offer {part.id}; offers come from {either([o.supplier for o in offers])}")
        return Decided(offer.supplier, f"supplier {supplier} as asked ({offer.price:.2f} each)")
    preference = preference if preference in PREFERENCES else "price"
    ranked = ranked_offers(offers, preference)
    best = ranked[0]
    field = {"price": "price", "lead_time": "lead_time_days", "carbon": "carbon_kg"}[preference]
    tied = [o.supplier for o in ranked[1:] if getattr(o, field) == getattr(best, field)]
    label = {"price": "lowest price", "lead_time": "shortest lead time", "carbon": "lowest carbon"}[preference]
    note = (f"supplier {best.supplier}: {label} ({best.price:.2f} each, {best.lead_time_days} days, "
            f"{best.carbon_kg:g} kg CO2e)")
    if tied:
        note += f"; tied with {', '.join(tied)} on {label.split()[-1]}, chosen by the next criterion"
    return Decided(best.supplier, note)


def order_quantity(part: SparePart, quantity: int | None = None) -> Decided:
    """The quantity asked for; otherwise the part's reorder quantity when stock and open orders are at or
    below its reorder point, and nothing when they are above it."""
    if quantity is not None:
        if quantity <= 0:
            raise AskBack(f"How many {part.id} should be ordered?")
        return Decided(int(quantity), f"quantity {quantity} as asked")
    stock, point, on_order = part.stock, part.reorder_point, part.on_order
    if stock + on_order > point:
        raise Stop(f"{part.id}: {stock} in stock" + (f" and {on_order} on order" if on_order else "")
                   + f", above its reorder point {point}: nothing to order (say how many to order anyway)")
    qty = part.reorder_qty
    return Decided(qty, f"quantity {qty}: the reorder quantity, as stock {stock}"
                   + (f" + {on_order} on order" if on_order else "") + f" is at or below the reorder point {point}")


def purchase(part: SparePart, quantity: int | None = None, preference: str | None = None,
             supplier: str | None = None) -> Decided:
    """What to order of one part: how many and from whom."""
    qty = order_quantity(part, quantity)
    chosen = supplier_for(part, preference, supplier)
    return Decided({"part_id": part.id, "quantity": qty.value, "supplier_id": chosen.value},
                   f"{qty.note}; {chosen.note}")


def reorders(plant: Plant, machine: str, stock: list[SparePart] | None, preference: str | None = None) -> Decided:
    """The machine's bill-of-materials parts at or below their reorder point, each with its reorder quantity
    and best supplier; none when all are stocked."""
    bom = {line.part for line in plant.machine(machine).bom}
    orders, notes = [], []
    for part in stock or []:
        if part.id not in bom:
            continue
        try:
            order = purchase(part, None, preference)
        except Stop as why:
            notes.append(str(why).split(" (")[0])
            continue
        orders.append(order.value)
        notes.append(f"{part.id}: {order.note}")
    return Decided(orders, "; ".join(notes) or f"no spare parts are listed for {machine}")


def run_command(plant: Plant, machine: str, command: str | None, status: MachineStatus | None) -> Decided:
    """Start or stop, checked against the machine's live state (no start of a running machine)."""
    if command not in ("start", "stop"):
        raise AskBack(f"Should {machine} be started or stopped?")
    state = status.state if status else None
    if command == "start" and state == "running":
        raise Stop(f"{machine} is already running")
    if command == "stop" and state == "stopped":
        raise Stop(f"{machine} is already stopped")
    return Decided({command: True}, f"{command} {machine} (now {state})")


def configure_order(plant: Plant, facts: ConfigurationFacts, colour: str | None, options: list[str] | None,
                    quantity: int | None, due: str | None) -> Decided:
    """A configuration checked for buildability by code (copilot/orders): refused naming the rule or the setpoint,
    or whether the due date (a day as the request names it, from the facts' today) holds, with the substitutions
    for a material that comes too late; what is missing is asked back."""
    check = checked(plant, facts, colour, options, quantity, due)
    return Decided(to_jsonable_python(check), said(check))


def line_sequence(queue: LineQueue) -> Decided:
    """The line's queue sequenced by code to cut changeover within the due dates (copilot/orders/sequence.py): the
    order before and after, the changeover minutes saved, or that no order can move; the note says it."""
    try:
        product = line_product(queue.line_id, queue.products)
    except ConfigurationError as exc:
        raise Stop(str(exc)) from None
    orders = line_orders(queue.orders, queue.line_id, queue.products, queue.mes_products, product)
    if not orders:
        raise Stop(f"nothing is queued on line {queue.line_id}")
    found = sequence_line(queue.line_id, product.routing, orders, queue.today)
    return Decided(to_jsonable_python(found), found.line)


def root_cause(history: LineHistory) -> Decided:
    """Why the line's defect rate rose: its machines compared by code, the likely causes ranked with their figures
    (copilot/quality/root_cause.py); the note says them, or that the rate is not up, or that no cause was found."""
    found = explain(history)
    return Decided(to_jsonable_python(found), found.said)


def defects_alarming(status: MachineStatus) -> Decided:
    """The status as the operator reads it; its value the machine when its defect rate is past its alarm limit
    (the causes are then looked for by code), else None."""
    alarming = any(a.tag == DEFECT_RATE for a in status.alarms)
    return Decided(status.machine_id if alarming else None, status.said())


def reading_status(plant: Plant, status: MachineStatus, tag: str) -> Decided:
    """The machine's state and alarms with only the reading asked about and the setpoints that drive it (or, for a
    setpoint, the readings it drives), as a person reads them."""
    tags = plant.machines[status.machine_id].tags
    asked = tags.get(tag)
    kept = [r for r in status.tags if r.tag == tag or asked is not None and r.tag in tags
            and (drives(tags[r.tag], asked) if tags[r.tag].writable else asked.writable and drives(asked, tags[r.tag]))]
    return Decided(None, status.model_copy(update={"tags": kept}).said())


DECISIONS: dict[str, Callable[..., Decided]] = {
    f.__name__: f
    for f in (setpoint_targets, work_order, purchase, reorders, run_command, production_change, orders_at, root_cause,
              defects_alarming, reading_status,
              correction, fell_back, configure_order, line_sequence, recipe_machines, accept_order, changeover)
}


def _carries_a_model(hint: Any) -> bool:
    return (isinstance(hint, type) and issubclass(hint, BaseModel)) or any(map(_carries_a_model, typing.get_args(hint)))


@cache
def _typed(name: str) -> dict[str, TypeAdapter]:
    """The decision's parameters that take tools' results, with the adapter that types them."""
    hints = typing.get_type_hints(DECISIONS[name])
    return {param: TypeAdapter(hint) for param, hint in hints.items()
            if param not in ("return", "plant") and _carries_a_model(hint)}


def decide(name: str, plant: Plant, inputs: dict[str, Any]) -> Decided:
    """Run a decision on a procedure's inputs (JSON, as the run keeps them): the tools' results among them become
    the types the decision names, and the plant is given to a decision that asks for it."""
    typed = _typed(name)
    inputs = {k: typed[k].validate_python(v) if k in typed else v for k, v in inputs.items()}
    if "plant" in inspect.signature(DECISIONS[name]).parameters:
        inputs["plant"] = plant
    return DECISIONS[name](**inputs)
