"""What each defect class the cameras see points at: the readings (by unit and direction), the material lot and the
tool worn past its rated life that make it. Root cause by code weighs a cause that would make the class that rose
above one that would not."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.shots import DefectClass
from tools.line_history import Inspected

MIN_PARTS = 10  # parts inspected in each half before a class's rate is judged
MIN_CLASS_RISE = 2.0  # percentage points of a class's rate that make a rise ...
MIN_CLASS_DEFECTS = 3  # ... with at least this many of it found now

LOT = "material_lot"
TOOL = "tool"


@dataclass(frozen=True)
class Suspect:
    """A reading that makes a defect class: its unit, and whether it does so high (+1), low (-1) or off either
    way (0); ``LOT`` as the unit: the material lot; ``TOOL``: a tool worn past its rated life."""

    unit: str
    direction: int = 0


SUSPECTS: dict[DefectClass, tuple[Suspect, ...]] = {
    DefectClass.flash: (Suspect("degC", +1), Suspect("bar", +1), Suspect(TOOL)),  # too hot, overpacked, a worn mould
    DefectClass.short_shot: (Suspect("degC", -1), Suspect("bar", -1)),  # too cold or underpacked
    DefectClass.burn_mark: (Suspect("degC", +1), Suspect(LOT)),  # much too hot, or a lot that is off
    DefectClass.off_shade: (Suspect(LOT), Suspect("degC"), Suspect("pH"), Suspect("dE", +1)),  # liquor or dye lot
    DefectClass.uneven: (Suspect("degC/min", +1), Suspect("degC", +1), Suspect(TOOL)),  # heated too fast, worn nozzle
}


@dataclass(frozen=True)
class ClassRise:
    """A defect class the camera found more of on a machine: its share of the parts inspected before and now."""

    machine_id: str
    defect_class: DefectClass
    before: float  # percent of the parts inspected
    now: float
    inspected_before: int
    inspected_now: int

    @property
    def said(self) -> str:
        what = self.defect_class.value.replace("_", " ")
        return (f"the camera finds more {what} on {self.machine_id}: {self.before:.1f} % of {self.inspected_before} "
                f"parts before, {self.now:.1f} % of {self.inspected_now} now")


def class_rises(machine_id: str, inspections: list[Inspected], split: float) -> list[ClassRise]:
    """Each defect class whose share of the parts inspected rose from before ``split`` to now, most risen first;
    none when either half inspected too few parts."""
    halves = ([i for i in inspections if i.at < split], [i for i in inspections if i.at >= split])
    parts = [sum(i.inspected for i in half) for half in halves]
    if min(parts) < MIN_PARTS:
        return []
    rises = []
    for found in DefectClass:
        counts = [sum(i.defects_by_class.get(found.value, 0) for i in half) for half in halves]
        before, now = (100.0 * c / p for c, p in zip(counts, parts, strict=True))
        if counts[1] >= MIN_CLASS_DEFECTS and now - before >= MIN_CLASS_RISE:
            rises.append(ClassRise(machine_id, found, round(before, 1), round(now, 1), parts[0], parts[1]))
    return sorted(rises, key=lambda r: r.before - r.now)


def would_make(rise: ClassRise, unit: str, moved: float | None) -> bool:
    """Whether a cause on the rise's machine (a reading in ``unit`` that moved by ``moved``, the material lot with
    ``unit`` ``LOT``, a worn tool with ``TOOL``) would make the class that rose."""
    for suspect in SUSPECTS.get(rise.defect_class, ()):
        if suspect.unit != unit:
            continue
        if unit == LOT or suspect.direction == 0 or (moved is not None and moved * suspect.direction > 0):
            return True
    return False
