"""Names in a request that the plant does not have are told, not guessed.

A slot that names a plant thing is an enum of what the plant has, so for "status of
P-999" or "switch to HX-200-RED" the model can only fill the nearest thing that
exists. Before a procedure runs, each such slot whose value the request does not
contain is checked: if the request names an id-shaped word the plant file does not
know, that is what the operator meant, and the procedure ends saying so, with the
names the plant has.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.plant import Plant
from copilot.procedures.spec import Procedure, SlotKind

_ID = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")

_LABELS = {SlotKind.machine: "machines", SlotKind.part: "parts", SlotKind.variant: "variants",
           SlotKind.production_order: "production orders", SlotKind.supplier: "suppliers"}


def _names(plant: Plant) -> dict[SlotKind, list[str]]:
    return {
        SlotKind.machine: list(plant.machines),
        SlotKind.part: [p.id for p in plant.parts],
        SlotKind.variant: [v.id for p in plant.products for v in p.variants],
        SlotKind.production_order: [o.id for o in plant.production_orders],
        SlotKind.supplier: [s.id for s in plant.suppliers],
    }


def _known(plant: Plant) -> set[str]:
    """Every id-shaped name of the plant file: its things, and its products' and machines' model names."""
    words = {name for names in _names(plant).values() for name in names} | {p.id for p in plant.products}
    for machine in plant.machines.values():
        words |= set(_ID.findall(machine.model.upper()))
    return words


def unknown_name(request: str, procedure: Procedure, slots: dict[str, Any], plant: Plant) -> str | None:
    """Why the procedure cannot run on what the model filled, when the request names what the plant lacks."""
    text = request.upper()
    strangers = [w for w in dict.fromkeys(_ID.findall(text)) if w not in _known(plant)]
    if not strangers:
        return None
    names = _names(plant)
    for name, slot in procedure.slots.items():
        value = slots.get(name)
        if slot.kind in names and isinstance(value, str) and value.upper() not in text:
            return (f"the plant has no {strangers[0]}; its {_LABELS[slot.kind]} are "
                    f"{', '.join(names[slot.kind])}")
    return None
