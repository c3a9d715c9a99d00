"""The decisions of accepting a configured order and of changing a line over to its next order, by code.

``checked``: a configuration checked from the facts (what is missing asked back); ``accept_order``: the proposal
(copilot/orders/acceptance.py) as the changes' arguments, or refused naming the rule, setpoint and limit, or
material; ``changeover``: the order the line reaches next, once the order in progress has made its quantity.
"""

from __future__ import annotations

from pydantic_core import to_jsonable_python

from connectors.plant import Plant
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from copilot.orders.acceptance import AcceptanceRefused, accept
from copilot.orders.check import check_configuration
from copilot.orders.configuration import ConfigurationError
from copilot.orders.result import ConfigurationCheck, OrderRequest
from copilot.procedures.outcome import AskBack, Decided, Stop, either
from copilot.understanding.dates import day_named
from tools.configuration_facts import ConfigurationFacts
from tools.machine_status import MachineStatus

__all__ = ["accept_order", "changeover", "checked", "recipe_machines"]


def checked(plant: Plant, facts: ConfigurationFacts, colour: str | None, options: list[str] | None,
            quantity: int | None, due: str | None) -> ConfigurationCheck:
    """The configuration checked (copilot/orders) with the due date a day as the request names it, from the facts'
    today; AskBack for a missing colour, quantity or day, Stop for a request the check cannot take."""
    product = facts.product
    if not colour:
        raise AskBack(f"In which colour? {product.id} comes in {either(product.colours)}.")
    if not quantity:
        raise AskBack(f"How many {product.id} does the customer want?")
    day = day_named(due, facts.today) if due else None
    if day is None:
        raise AskBack("By which day is it due? Say a date such as 2026-12-11, or a weekday.")
    try:
        return check_configuration(OrderRequest(product.id, colour, tuple(options or ()), quantity, day), facts,
                                   plant)
    except ConfigurationError as exc:
        raise Stop(str(exc)) from None


def recipe_machines(facts: ConfigurationFacts) -> Decided:
    """The machines the product's recipes set, whose live setpoints an acceptance is checked against."""
    return Decided(list(dict.fromkeys(r.machine for r in facts.product.recipes)))


def accept_order(plant: Plant, facts: ConfigurationFacts, statuses: list[MachineStatus] | None, colour: str | None,
                 options: list[str] | None, quantity: int | None, due: str | None) -> Decided:
    """The production order to create (its recipe in writing order, queued before the order the line's sequencer
    runs after it, none: last) and the purchase
    orders of what is missing (the check's supplier); refused, before anything is proposed, naming the rule, the
    setpoint and its limit or maximum step from the line's current setpoint, or the material."""
    check = checked(plant, facts, colour, options, quantity, due)
    current = {(s.machine_id, r.tag): float(r.value) for s in statuses or [] for r in s.tags
               if isinstance(r.value, int | float) and not isinstance(r.value, bool)}
    try:
        proposal = accept(check, current, plant)
    except AcceptanceRefused as exc:
        raise Stop(str(exc)) from None
    asked = check.request
    order = {"product": asked.product, "colour": asked.colour, "options": list(asked.options),
             "quantity": asked.quantity, "before": proposal.place.before if proposal.place else None,
             "recipe": [{"machine_id": s.machine_id, "tag": s.tag, "value": s.value} for s in check.recipe]}
    return Decided({"order": order, "purchases": to_jsonable_python(proposal.purchases)}, proposal.line)


def changeover(orders: list[ProductionOrderRecord] | None, line: str | None) -> Decided:
    """The order the line changes over to: the first planned in its queue, once the order in progress (if any)
    has made its quantity; Stop saying what the line is still making, or that nothing is queued."""
    if not line:
        raise AskBack("Which line should change over?")
    on_line = [o for o in orders or [] if o.line == line]
    queued = [o for o in on_line if o.status is ProductionOrderStatus.planned]
    if not queued:
        raise Stop(f"no order is queued on line {line}")
    after = queued[0]
    running = [o for o in on_line if o.status is ProductionOrderStatus.in_progress]
    if unfinished := [o for o in running if o.remaining > 0]:
        now = unfinished[0]
        raise Stop(f"line {line} has not reached {after.id} yet: {now.id} still has {now.remaining} of "
                   f"{now.quantity} to make")
    before = f"{', '.join(o.id for o in running)} finished" if running else "no order in progress"
    return Decided({"order_id": after.id},
                   f"line {line} changes over to {after.id} ({after.variant}, {after.quantity}): {before}")
