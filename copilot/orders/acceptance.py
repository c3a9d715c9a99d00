"""Accepting a checked configuration, by code: refused while a rule is broken, a recipe setpoint is beyond its
limits or beyond its maximum step from the line's current setpoint, or a material cannot be had; otherwise one
proposal: the production order with its recipe, at the place the line's sequencer gives it among the queued
orders, and one purchase per material to buy from the supplier the check chose. A pure function of the check, the
live setpoints and the plant file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors.plant import Plant
from copilot.orders.result import ConfigurationCheck, RecipeSetpoint, Verdict
from copilot.orders.sequence import QueuePlace


class AcceptanceRefused(ValueError):
    """The configuration cannot be accepted; the message names the rule, the setpoint and its limit, or the
    material (one line)."""


@dataclass(frozen=True)
class StepBreach:
    """A recipe setpoint further from the line's current setpoint than one write may move it."""

    setpoint: RecipeSetpoint
    current: float
    max_step: float

    @property
    def line(self) -> str:
        s = self.setpoint
        unit = f" {s.unit}" if s.unit else ""
        return (f"{s.machine_id}.{s.tag} {s.value:g}{unit} is {abs(s.value - self.current):g}{unit} from the line's "
                f"current {self.current:g}{unit}, beyond its maximum step {self.max_step:g}{unit}")


@dataclass(frozen=True)
class Purchase:
    """A material to buy for the order: how many, from which supplier."""

    part_id: str
    quantity: int
    supplier_id: str


@dataclass(frozen=True)
class Proposal:
    """What accepting the configuration proposes: the order (its recipe in writing order) at its place in its
    line's queue (None: last, the line's queue unknown), and the purchases."""

    check: ConfigurationCheck
    place: QueuePlace | None
    purchases: tuple[Purchase, ...]

    @property
    def line(self) -> str:
        c = self.check
        recipe = ", ".join(s.line for s in c.recipe) or "none"
        line = c.capacity.line_id if c.capacity else "?"
        place = self.place.line if self.place else f"queued last on {line}"
        buy = "; ".join(f"buy {p.quantity} {p.part_id} from {p.supplier_id}" for p in self.purchases)
        late = "" if c.verdict is Verdict.on_time else f", after the due date {c.request.due}"
        finish = f"finished {c.finish}{late}"
        return (f"proposed: a production order of {c.request.line}, {place} ({finish}); recipe {recipe}"
                + (f"; {buy}" if buy else "; every material is in stock or on order"))


def step_breaches(recipe: tuple[RecipeSetpoint, ...], current: Mapping[tuple[str, str], float],
                  plant: Plant) -> tuple[StepBreach, ...]:
    """The recipe's setpoints beyond their tag's maximum step from the current value (a setpoint whose current
    value is unknown is judged at the changeover, against its value then)."""
    found = []
    for setpoint in recipe:
        max_step = plant.tag(setpoint.machine_id, setpoint.tag).max_step
        now = current.get((setpoint.machine_id, setpoint.tag))
        if max_step is not None and now is not None and abs(setpoint.value - now) > max_step:
            found.append(StepBreach(setpoint, now, max_step))
    return tuple(found)


def accept(check: ConfigurationCheck, current: Mapping[tuple[str, str], float], plant: Plant) -> Proposal:
    """The proposal for a checked configuration, or AcceptanceRefused naming what stands in the way."""
    head = f"{check.request.line} cannot be accepted"
    if check.verdict is Verdict.rule_broken:
        raise AcceptanceRefused(f"{head}: it breaks " + "; ".join(b.line for b in check.broken_rules))
    if check.verdict is Verdict.recipe_beyond_limits:
        raise AcceptanceRefused(f"{head}: " + "; ".join(s.line for s in check.recipe_refusals))
    if breaches := step_breaches(check.recipe, current, plant):
        raise AcceptanceRefused(f"{head}: " + "; ".join(b.line for b in breaches))
    if missing := [m.material for m in check.materials if m.ready is None]:
        raise AcceptanceRefused(f"{head}: {', '.join(missing)} cannot be had (nothing free, on order or offered)")
    purchases = tuple(Purchase(m.material, m.to_buy, m.supplier) for m in check.materials
                      if m.to_buy > 0 and m.supplier is not None)
    return Proposal(check, check.place, purchases)
