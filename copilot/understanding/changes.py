"""The setpoint changes a request asks, read by code, against the ones the model filled.

Each change the model filled is paired with a number of the request (copilot/understanding/phrasing.py): the
one with the value the model wrote, else, when the request places as many numbers as the model filled
changes, the one in the same place in order of mention (unless the model wrote a number of its own there
and the request's has no unit: a number the model made up stands for nothing). The change is then what the
request says: to x where it says to x (even when the model wrote by), by x where it says by x, a percentage
where it says one ("double it" is +100 %, "halve it" -50 %); a number the words do not place keeps the
model's reading. A value said in another unit than the tag's is converted to the tag's unit when the
conversion is exact (copilot/understanding/units.py); when it is not, or the unit does not fit the tag or is
unknown, the request is asked back with one question, and never read as the tag's own unit; a unit that fits
one setpoint of the machine only, where the model's does not take it, names that setpoint. Where the request
says no direction, the sign is the model's. Where the model wrote no value at all, only as many of its changes
as the request places numbers stand for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.plant import Machine
from copilot.understanding.phrasing import Absolute, Percent, Phrase, Relative, Unclear
from copilot.understanding.units import Converted, Incompatible, NamedUnit, convert
from tools.lines import symbol

Change = dict[str, Any]
_FIELDS = ("to", "by", "percent")


@dataclass(frozen=True)
class Read:
    """What the request makes of the model's changes: each as the request says it (None where no number of
    the request stands for it), and the question to ask back first, if any."""

    changes: list[Change | None]
    question: str | None = None


def _value(phrase: Phrase) -> float:
    match phrase:
        case Absolute(value=v) | Unclear(value=v):
            return abs(v)
        case Relative(delta=d):
            return abs(d)
        case Percent(pct=p):
            return abs(p)


def _model_values(change: Change) -> list[float]:
    return [abs(v) for f in _FIELDS if isinstance(v := change.get(f), int | float) and not isinstance(v, bool)]


def _paired(changes: list[Change], phrases: list[Phrase]) -> list[Phrase | None]:
    """The number of the request each change stands for: the same value, else the same place in order."""
    used: set[int] = set()
    pairs: list[Phrase | None] = []
    for change in changes:
        values = _model_values(change)
        index = next((i for i, p in enumerate(phrases) if i not in used and _value(p) in values), None)
        used |= {index} if index is not None else set()
        pairs.append(phrases[index] if index is not None else None)
    placed = [i for i, p in enumerate(phrases) if not isinstance(p, Unclear)]
    if len(placed) == len(changes):
        for position, index in enumerate(placed):
            if pairs[position] is None and index not in used and _may_stand_for(phrases[index], changes[position]):
                pairs[position], used = phrases[index], used | {index}
    return pairs


def _may_stand_for(phrase: Phrase, change: Change) -> bool:
    """Whether a number of another value may stand for a change in its place: when the model wrote no number,
    or the request's is in a unit (the model may have converted it) or a percentage ("double it" written as
    by 2); a number the model made up is not."""
    unit = phrase.unit if isinstance(phrase, Absolute | Relative) else None
    return not _model_values(change) or unit is not None or isinstance(phrase, Percent)


def read_changes(changes: list[Change], machine: Machine | None, phrases: list[Phrase],
                 steps: dict[str, float]) -> Read:
    """The model's ``changes`` as the request's numbers (``phrases``, in order of mention) say them, for the
    setpoints of ``machine``, each held to ``steps[tag]`` (the smallest step its register holds)."""
    out: list[Change | None] = []
    placed = [p for p in phrases if not isinstance(p, Unclear)]
    unsaid = len(changes) - len(placed) if placed and not any(map(_model_values, changes)) else 0
    paired = _paired(changes[:len(changes) - unsaid], phrases) + [None] * unsaid  # as many as are said
    for change, phrase in zip(changes, paired, strict=True):
        if phrase is None:
            out.append(None)
            continue
        tag = _tag(change, machine, phrase)
        value = _converted(phrase, change, machine, tag, steps)
        if isinstance(value, str):
            return Read(out, value)
        out.append({**_as_said(change, phrase, value), **({"tag": tag} if tag else {})})
    return Read(out)


def _tag(change: Change, machine: Machine | None, phrase: Phrase) -> str | None:
    """The setpoint a change is for: the one the model named, or the machine's only one; but where the
    request's unit does not fit that one (or the model named none), the one setpoint of the machine whose
    unit it fits ("10 botellas por minuto" is the filler's speed, not its fill)."""
    setpoints = machine.setpoints if machine else []
    names = [t.name for t in setpoints]
    tag = change["tag"] if change.get("tag") in names else names[0] if len(names) == 1 else None
    unit = phrase.unit.symbol if isinstance(phrase, Absolute | Relative | Unclear) and phrase.unit else None
    if unit is None or (tag is not None and _fits(unit, machine.tags[tag].unit)):
        return tag
    fitting = [t.name for t in setpoints if _fits(unit, t.unit)]
    return fitting[0] if len(fitting) == 1 else tag


def _fits(unit: str, target: str) -> bool:
    return not isinstance(convert(1, unit, target, relative=True), Incompatible)


def _sign(change: Change) -> int:
    """The model's direction: -1 when it wrote a negative step or percentage."""
    return -1 if any(isinstance(v := change.get(f), int | float) and v < 0 for f in ("by", "percent")) else 1


def _as_said(change: Change, phrase: Phrase, value: float) -> Change:
    """The change with the field and value the request says (``value`` in the tag's unit)."""
    fields: dict[str, float | None] = dict.fromkeys(_FIELDS)
    match phrase:
        case Absolute():
            fields["to"] = value
        case Relative(signed=signed):
            fields["by"] = value if signed else abs(value) * _sign(change)
        case Percent(signed=signed):
            fields["percent"] = value if signed else abs(value) * _sign(change)
        case Unclear():
            field = next((f for f in _FIELDS if change.get(f) is not None), "to")
            fields[field] = value if field == "to" else abs(value) * _sign(change)
    return {**change, **fields}


def _converted(phrase: Phrase, change: Change, machine: Machine | None, tag: str | None,
               steps: dict[str, float]) -> float | str:
    """The phrase's value in the tag's unit, or the question to ask when it does not convert exactly; an unclear
    number converts as the model read it (a step when it wrote one)."""
    match phrase:
        case Percent(pct=pct):
            return pct
        case Relative(delta=value, unit=unit):
            relative = True
        case Absolute(value=value, unit=unit):
            relative = False
        case Unclear(value=value, unit=unit):
            relative = change.get("to") is None
    if unit is None or machine is None or tag is None:
        return value
    return _in_tag_unit(value, unit, phrase, machine, tag, steps[tag], relative=relative)


def _in_tag_unit(value: float, unit: NamedUnit, phrase: Phrase, machine: Machine, tag: str, step: float, *,
                 relative: bool) -> float | str:
    target, where = machine.tags[tag].unit, f"{machine.id} {machine.tags[tag].words}"
    shown = symbol(target)
    if unit.symbol is None:
        return (f"I do not know the unit of \"{phrase.said}\"; {where} is set in {shown}. "
                f"What value in {shown} do you mean?")
    outcome = convert(value, unit.symbol, target, relative=relative, step=step)
    if isinstance(outcome, Converted):
        return outcome.value
    if isinstance(outcome, Incompatible):
        return (f"{where} is set in {shown}, and \"{phrase.said}\" does not convert to {shown}. "
                f"What value in {shown} do you mean?")
    change = "a change of " if relative else ""
    return (f"\"{phrase.said}\" is {change}{outcome.value:.6g} {shown}, and {where} takes steps of {step:g} "
            f"{shown}: should it be {change}{outcome.nearest:g} {shown}?")
