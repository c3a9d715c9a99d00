"""Which reading or setpoint of a machine a request names, read by code where the model filled one the machine
lacks: the one whose words the request shares most, or the question to ask."""

from __future__ import annotations

from typing import Any

from connectors.plant import Plant
from copilot.procedures.spec import Procedure, SlotKind
from copilot.understanding.machines import stems

__all__ = ["grounded_tag"]


def grounded_tag(procedure: Procedure, slots: dict[str, Any], text: str, plant: Plant) -> str | None:
    """A tag or setpoint slot filled with a name the procedure's machine lacks is the machine's tag (or setpoint)
    whose words ``text`` shares most; where none or several do, it is dropped, and the question to ask is returned
    when the slot is required."""
    machine = plant.machines.get(next((slots.get(n) for n, s in procedure.slots.items()
                                       if s.kind is SlotKind.machine and isinstance(slots.get(n), str)), ""))
    if machine is None:
        return None
    for name, slot in procedure.slots.items():
        if slot.kind not in (SlotKind.tag, SlotKind.setpoint) or not isinstance(slots.get(name), str):
            continue
        tags = machine.setpoints if slot.kind is SlotKind.setpoint else list(machine.tags.values())
        if slots[name] in {t.name for t in tags}:
            continue
        said = stems(text)
        shared = {t.name: len(stems(t.words) & said) for t in tags}
        best = [t for t, n in shared.items() if n and n == max(shared.values())]
        if len(best) == 1:
            slots[name] = best[0]
            continue
        del slots[name]
        if slot.required:
            offered = best or [t.name for t in tags]
            words = {t.name: t.words for t in tags}
            return f"Which of {machine.id}'s readings: {', '.join(words[t] for t in offered)}?"
    return None
