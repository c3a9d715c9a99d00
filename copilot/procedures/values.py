"""The values a request sets, read by code: a value to go to or a step ("to 75", "down 5", "10 % slower"), and
whether a setpoint of the machines it names can take each of them (an order's 9000 kg is no setpoint's)."""

from __future__ import annotations

from connectors.plant import Machine, Plant, Tag
from copilot.understanding.machines import machines_named
from copilot.understanding.phrasing import Absolute, Percent, Relative, phrases
from copilot.understanding.units import Converted, Incompatible, NotExact, convert

__all__ = ["fits_a_setpoint", "values_set"]

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
        or any(not isinstance(convert(1, p.unit.symbol, u, relative=True), Incompatible) for u in units))]


def fits_a_setpoint(request: str, lang: str, plant: Plant) -> bool:
    """Whether ``request`` names machines and sets values, each of which a setpoint of theirs can take: a value within
    its limits, a step within their span ("take the stenter down 5"; not "the jet's batch up to 9000")."""
    setpoints = [t for m in _machines(request, lang, plant) for t in m.setpoints]
    read = [p for p in values_set(request, lang, plant) if isinstance(p, Absolute | Relative)]
    return bool(setpoints and read) and all(any(_takes(t, p) for t in setpoints) for p in read)


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
