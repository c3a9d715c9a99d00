"""The values a request sets, read by code: a value to go to or a step ("to 75", "down 5", "10 % slower"), and
whether a setpoint of the machines it names can take each of them (an order's 9000 kg is no setpoint's)."""

from __future__ import annotations

from connectors.plant import Machine, Plant, Tag
from copilot.understanding.machines import machines_named
from copilot.understanding.phrasing import Absolute, Percent, Relative, Unclear, phrases
from copilot.understanding.units import Converted, Incompatible, NotExact, convert

__all__ = ["counted_lines", "counted_only", "counter_units", "fits_a_setpoint", "values_set"]

COUNTER = "good_count"
"""The tag a machine counts its output on: a production order is counted in its line's unit."""

Set = Absolute | Relative | Percent


def _machines(request: str, lang: str, plant: Plant) -> list[Machine]:
    return [plant.machines[m] for m in machines_named(request, plant, lang=lang)]


def values_set(request: str, lang: str, plant: Plant) -> list[Set]:
    """The values ``request`` (in ``lang``) says to go to or to move by, in no unit or in one a setpoint takes, of the
    machines it names or else of the plant ("the pump's vibration is up to 7 mm/s" sets nothing of the pump's)."""
    setpoints = [t for m in (_machines(request, lang, plant) or plant.machines.values()) for t in m.setpoints]
    units = {t.unit for t in setpoints if t.unit}
    return [p for p in phrases(request, lang) if isinstance(p, Percent) or isinstance(p, Absolute | Relative) and (
        p.unit is None or p.unit.symbol is None
        or any(_fits(p.unit.symbol, u) for u in units))]


def fits_a_setpoint(request: str, lang: str, plant: Plant) -> bool:
    """Whether ``request`` names machines and sets values, each of which a setpoint of theirs can take: a value within
    its limits, a step within their span ("take the stenter down 5"; not "the jet's batch up to 9000")."""
    setpoints = [t for m in _machines(request, lang, plant) for t in m.setpoints]
    read = [p for p in values_set(request, lang, plant) if isinstance(p, Absolute | Relative)]
    return bool(setpoints and read) and all(any(_takes(t, p) for t in setpoints) for p in read)


def counted_only(request: str, lang: str, plant: Plant) -> bool:
    """Whether each value ``request`` sets is in a unit no setpoint of the machines it names (or else of the plant)
    takes, but the plant counts its output in ("the navy on the jet down to 7.2 tonnes" is an order's quantity)."""
    setpoints = [t.unit for m in (_machines(request, lang, plant) or plant.machines.values()) for t in m.setpoints]
    counted = counter_units(plant)
    units = [p.unit.symbol if p.unit else None for p in phrases(request, lang) if isinstance(p, Absolute | Relative)]
    return bool(units) and all(u is not None and not any(_fits(u, s) for s in setpoints if s)
                               and any(_fits(u, c) for c in counted) for u in units)


def counter_units(plant: Plant) -> set[str]:
    """The units the plant counts its output in (its machines' counters')."""
    return {m.tags[COUNTER].unit for m in plant.machines.values() if COUNTER in m.tags and m.tags[COUNTER].unit}


def counted_lines(text: str, lang: str, plant: Plant) -> set[str]:
    """The lines whose counters take the unit of an amount ``text`` says ("8500 kg": the line that counts in kg);
    empty where it says no amount in a unit a counter takes."""
    units = {p.unit.symbol for p in phrases(text, lang)
             if isinstance(p, Absolute | Relative | Unclear) and p.unit and p.unit.symbol}
    return {m.line_id for m in plant.machines.values() if COUNTER in m.tags and m.tags[COUNTER].unit
            and any(_fits(u, m.tags[COUNTER].unit) for u in units)}


def _fits(unit: str, target: str) -> bool:
    return not isinstance(convert(1, unit, target, relative=True), Incompatible)


def _takes(tag: Tag, value: Absolute | Relative) -> bool:
    relative = isinstance(value, Relative)
    size = value.delta if relative else value.value
    unit = value.unit.symbol if value.unit and value.unit.symbol else None
    if unit is not None and tag.unit:
        converted = convert(size, unit, tag.unit, relative=relative)
        if not isinstance(converted, Converted | NotExact):
            return False
        size = converted.value
    low, high = tag.min, tag.max
    if low is None or high is None:
        return True
    return abs(size) <= high - low if relative else low <= size <= high
