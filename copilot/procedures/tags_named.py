"""Which reading or setpoint of a machine a request names, read by code where the model filled one the machine
lacks: the one whose words the request shares most, or the question to ask; and which setpoint a change is for
where the request means one without naming it ("a bit hotter", or "take it down 5" after "how hot is it?")."""

from __future__ import annotations

from typing import Any

from connectors.plant import Plant, Tag, drives
from copilot.procedures.spec import Procedure, SlotKind
from copilot.understanding.machines import stems
from copilot.understanding.qualities import qualities_said

__all__ = ["grounded_tag", "setpoint_meant"]


def grounded_tag(procedure: Procedure, slots: dict[str, Any], text: str, plant: Plant) -> str | None:
    """A tag or setpoint slot filled with a name the procedure's machine lacks is the machine's tag (or setpoint)
    whose words ``text`` shares most (of a reading and its setpoint, the reading); where none or several do, it is
    dropped, and the question to ask is returned when the slot is required."""
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
        best = _driven([t for t, n in shared.items() if n and n == max(shared.values())], machine.tags)
        if len(best) == 1:
            slots[name] = best[0]
            continue
        del slots[name]
        if slot.required:
            offered = best or [t.name for t in tags]
            words = {t.name: t.words for t in tags}
            return f"Which of {machine.id}'s readings: {', '.join(words[t] for t in offered)}?"
    return None


def _driven(best: list[str], tags: dict[str, Tag]) -> list[str]:
    """Of a reading and the setpoints that drive it, which a request names alike ("the temperature": the chamber
    temperature and its setpoint), the reading: its status tells the setpoint beside it."""
    readings = [t for t in best if not tags[t].writable]
    if len(readings) == 1 and all(drives(tags[t], tags[readings[0]]) for t in best if tags[t].writable):
        return readings
    return best


def setpoint_meant(procedure: Procedure, slots: dict[str, Any], own: list[str], lang: str, before: str | None,
                   plant: Plant) -> None:
    """A lone setpoint change whose setpoint the request (``own``: its words, then its restatement) does not name is
    for the machine's one setpoint of the quantity it means ("a bit hotter"); where it means none, of the quantity
    the operator's request ``before`` it meant ("how hot's the stenter running?" then "take it down 5")."""
    name, machine = procedure.slot_of(SlotKind.setpoint_changes), None
    if name is not None:
        machine = plant.machines.get(next((slots.get(n) for n, s in procedure.slots.items()
                                           if s.kind is SlotKind.machine and isinstance(slots.get(n), str)), ""))
    changes = slots.get(name) if machine is not None else None
    if not isinstance(changes, list) or len(changes) != 1 or not isinstance(changes[0], dict):
        return
    said = stems(" ".join(own))
    if any((words := stems(t.words) - {"setpoint"}) and words <= said for t in machine.setpoints):  # it names one
        return
    meant = qualities_said(own[0], lang) | set().union(*(qualities_said(t) for t in own[1:]))
    if not meant and before:
        meant = qualities_said(before, lang) | qualities_said(before)
    fitting = [t.name for t in machine.setpoints if any(q in t.words.lower() for q in meant)]
    if len(meant) == 1 and len(fitting) == 1:
        slots[name] = [{**changes[0], "tag": fitting[0]}]
