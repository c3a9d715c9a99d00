"""Which production order a request means when it names none of its own ("make that order 1000", "make it
blue"): the one the conversation named last, where its last message that named any named only that one."""

from __future__ import annotations

import re
from typing import Any

from connectors.plant import Plant
from copilot.procedures.features import configuration_said, order_ids_typed
from copilot.procedures.spec import Procedure, SlotKind
from copilot.understanding.machines import lines_named, machines_named
from copilot.understanding.orders import order_place_in

__all__ = ["order_meant", "order_named_last"]

_DESCRIBING = (SlotKind.line, SlotKind.product)
_VARIANT = (SlotKind.variant, SlotKind.colour, SlotKind.options)


def order_meant(procedure: Procedure, slots: dict[str, Any], own: list[str], lang: str, earlier: str,
                plant: Plant) -> None:
    """Where the request (``own``: its words, then its restatement) names no machine and no order by id, product,
    line or place, nor describes one by its variant while giving a quantity ("the blue UV job to 600"), its order
    is the one the conversation (``earlier``) named last, written into ``slots``; what the model took from earlier
    requests to describe an order (a line, a product, and a colour or options the request does not say) is dropped
    with it."""
    slot = procedure.slot_of(SlotKind.production_order)
    last = order_named_last(earlier, plant) if slot else []
    text = " ".join(own)
    said = configuration_said(own, lang, plant)
    if not last or said.order or said.product or order_place_in(text) or lines_named(text, plant) \
            or said.variant and said.quantity or machines_named(text, plant, lang=lang):
        return
    slots[slot] = last[0]
    for name, kind in ((n, s.kind) for n, s in procedure.slots.items()):
        if kind in _DESCRIBING or kind in _VARIANT and not said.variant:
            slots.pop(name, None)


def order_named_last(earlier: str, plant: Plant) -> list[str]:
    """The one order the last part of ``earlier`` (parts apart by a blank line) that types any order types; none
    where it types several ("PO-D1-0311 in progress; PO-D1-0312 planned" leaves "cut it to 7500" to the order's
    line and place)."""
    parts = reversed(re.split(r"\n\s*\n", earlier))
    typed = next((ids for part in parts if (ids := set(order_ids_typed(part, plant)))), set())
    return list(typed) if len(typed) == 1 else []
