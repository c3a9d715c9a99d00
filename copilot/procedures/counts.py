"""An order's count as the request says it: a new total ("make it 1000", "down to 7.2 tonnes") or a change
("300 more"), in the unit the plant counts its output in."""

from __future__ import annotations

from typing import Any

from connectors.plant import Plant
from copilot.procedures.spec import Procedure, SlotKind
from copilot.procedures.values import counter_units
from copilot.understanding.phrasing import Absolute, Phrase, Relative
from copilot.understanding.units import Converted, convert

__all__ = ["total_or_more", "unfilled_count"]


def total_or_more(procedure: Procedure, slots: dict[str, Any], read: list[Phrase]) -> None:
    """A count's change as the request phrases its number, whichever slot the model put it in: "make it 1000" is a
    new total, "300 more", "add 300" and "200 fewer" are a change; a number phrased neither way stays where it is."""
    total = procedure.slot_of(SlotKind.total)
    more = procedure.slot_of(SlotKind.more)
    value = slots.get(total) if slots.get(total) is not None else slots.get(more)
    if total is None or more is None or not isinstance(value, int | float):
        return
    phrase = next((p for p in read if isinstance(p, Absolute | Relative) and abs(_size(p)) == abs(value)), None)
    if isinstance(phrase, Absolute):
        slots.pop(more, None)
        slots[total] = int(phrase.value)
    elif isinstance(phrase, Relative):
        slots.pop(total, None)
        slots[more] = phrase.delta if phrase.signed else value


def unfilled_count(procedure: Procedure, slots: dict[str, Any], read: list[Phrase], plant: Plant) -> None:
    """Where the model left both a count's total and its change empty and the request says one amount, with no
    unit or one the plant counts its output in, that amount is the count: the total where it says what to go to
    ("take the navy on the jet down to 7.2 tonnes": 7200 where the plant counts in kg), the change where it says
    which way by how much; a step whose way it does not say is left to ask."""
    total = procedure.slot_of(SlotKind.total)
    more = procedure.slot_of(SlotKind.more)
    if total is None or more is None or slots.get(total) is not None or slots.get(more) is not None:
        return
    amounts = [p for p in read if isinstance(p, Absolute | Relative)]
    if len(amounts) != 1 or (size := _counted(amounts[0], plant)) is None:
        return
    if isinstance(amounts[0], Absolute):
        slots[total] = round(size)
    elif amounts[0].signed:
        slots[more] = round(size)


def _counted(amount: Absolute | Relative, plant: Plant) -> float | None:
    """The amount in the unit the plant counts in: as said without a unit; converted exactly where one counter's
    unit takes it (None where none does, or several give different sizes)."""
    size = _size(amount)
    if amount.unit is None or amount.unit.symbol is None:
        return None if amount.unit else size
    sizes = {c.value for unit in counter_units(plant)
             if isinstance(c := convert(size, amount.unit.symbol, unit, relative=isinstance(amount, Relative)),
                           Converted)}
    return sizes.pop() if len(sizes) == 1 else None


def _size(phrase: Absolute | Relative) -> float:
    return phrase.value if isinstance(phrase, Absolute) else phrase.delta
