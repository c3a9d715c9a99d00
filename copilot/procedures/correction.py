"""The correction a line's top cause calls for, decided by code: a setpoint back toward its normal through the
gate, a suspect lot on hold, and a work order where a setpoint cannot fix the cause; and, once the camera has
inspected enough parts since, whether the defect rate fell back.

- a setpoint that was changed goes back toward its value before the change;
- a reading a controller holds off its setpoint (a drifting loop) is brought back by moving its setpoint the other
  way by as much as the reading is off, and its controller gets a work order;
- a reading with no setpoint of its own away from its usual level gets a work order;
- a material lot loaded goes on hold and the machine is switched back to a lot of the same material
  (copilot/procedures/lot_moves.py), and the lot gets an inspection work order;
- a tool run past its rated life gets a work order to change it.

Each setpoint move keeps to the tag's limits and maximum step and is rounded to what its register holds. The
defect rate fell back when the camera finds at most ``FELL_BACK`` of the rate before the change after it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from connectors.plant import Plant, Tag
from copilot.procedures.lot_moves import LotHoldDraft, LotIssueDraft, LotMoves, lot_moves
from copilot.procedures.outcome import Decided, Stop
from copilot.procedures.register import resolution
from copilot.quality.root_cause import Cause, CauseKind, RootCause, explain
from tools.line_history import LineHistory
from tools.lines import shown
from tools.reinspection import Reinspection

MIN_PARTS = 30  # parts the camera inspects after a change before its defect rate is judged
FELL_BACK = 0.5  # the share of the rate before the change at or below which the rate fell back


class SetpointWrite(BaseModel):
    """One setpoint the correction writes, through the gate."""

    machine_id: str
    tag: str
    value: float


class WorkOrderDraft(BaseModel):
    """The work order the correction opens: for the controller or machine, or to inspect a lot."""

    machine_id: str
    title: str
    description: str
    priority: Literal["high"] = "high"
    kind: Literal["corrective", "inspection"]


class Correction(BaseModel):
    """What the top cause calls for: the setpoint writes (none or one), the work order, the lot put on hold and
    the lot issued in its place (each or none)."""

    machine_id: str
    setpoints: list[SetpointWrite] = []
    work_order: WorkOrderDraft | None = None
    hold: LotHoldDraft | None = None
    issue: LotIssueDraft | None = None


def _bounded(tag: Tag, current: float, wanted: float) -> float:
    """``wanted`` within one maximum step of ``current`` and the tag's limits, rounded to its register."""
    value = wanted
    if tag.max_step is not None:
        value = min(current + tag.max_step, max(current - tag.max_step, value))
    value = max(tag.min, value) if tag.min is not None else value
    value = min(tag.max, value) if tag.max is not None else value
    step = resolution(tag)
    return round(round(value / step) * step, 3)


def _setpoint(plant: Plant, cause: Cause, history: LineHistory) -> tuple[Tag, float, float] | None:
    """The setpoint the cause calls to move, its value now and its new value; None when no setpoint fixes it."""
    machine = plant.machine(cause.machine_id)
    if cause.kind is CauseKind.setpoint_change and isinstance(cause.now, float | int):
        tag, current, wanted = machine.tags[cause.tag], float(cause.now), float(cause.before)
    elif cause.kind is CauseKind.off_setpoint and cause.setpoint is not None and isinstance(cause.now, float | int):
        drives = next((m.drives for m in history.machines if m.machine_id == cause.machine_id), {})
        if cause.tag not in drives:
            return None
        tag, current = machine.tags[drives[cause.tag]], cause.setpoint
        wanted = cause.setpoint - (cause.now - cause.setpoint)
    else:
        return None
    value = _bounded(tag, current, wanted)
    return (tag, current, value) if abs(value - current) >= resolution(tag) / 2 else None


def _words(plant: Plant, cause: Cause) -> str:
    """The cause's tag as people call it (the plant file's words for it)."""
    tag = plant.machine(cause.machine_id).tags.get(cause.tag)
    return tag.words if tag is not None else cause.words or cause.tag.replace("_", " ")


def _work_order(plant: Plant, cause: Cause, found: RootCause) -> WorkOrderDraft | None:
    """The work order a cause calls for: a drifting controller, a reading off its usual level, a lot to inspect, a
    worn tool to change; none for a changed setpoint (moving it back is the fix)."""
    what = _words(plant, cause)
    title = {CauseKind.off_setpoint: f"{cause.machine_id}: {what} controller settles off its setpoint",
             CauseKind.drift: f"{cause.machine_id}: {what} away from its usual level",
             CauseKind.material_lot: f"{cause.machine_id}: inspect material lot {cause.now}",
             CauseKind.tool_wear: f"{cause.machine_id}: change the {cause.words} ({shown(cause.now)} cycles, "
                                  f"rated {shown(cause.before)})"}.get(cause.kind)
    if title is None:
        return None
    return WorkOrderDraft(machine_id=cause.machine_id, title=title[:120], description=found.said[:2000],
                          kind="inspection" if cause.kind is CauseKind.material_lot else "corrective")


def correction(plant: Plant, history: LineHistory) -> Decided:
    """What the line's top cause calls for (see the module): the setpoint writes and the work order, with the root
    cause and the correction in the note; stopped when the line's defects are not up or no cause was found."""
    found = explain(history)
    if not (found.rose or found.classes):
        raise Stop(f"{found.said} Nothing to correct.")
    if not found.causes:
        raise Stop(found.said)
    top = found.causes[0]
    move = _setpoint(plant, top, history)
    order = _work_order(plant, top, found)
    lots = lot_moves(top, history.material_lots) if top.kind is CauseKind.material_lot else LotMoves()
    told = [*lots.told]
    if move is not None:
        tag, current, value = move
        told.append(f"{top.machine_id} {tag.words} {shown(current, tag.unit)} → {shown(value, tag.unit)}"
                    + (" (back toward its value before the change)" if top.kind is CauseKind.setpoint_change else
                       f" (to bring {_words(plant, top)} back toward {shown(top.setpoint, top.unit)})"))
    if order is not None:
        told.append(f"{'an' if order.kind[0] in 'aeiou' else 'a'} {order.kind} work order: {order.title}")
    if not told:
        raise Stop(f"{found.said} {top.machine_id} {top.words or top.tag}: no setpoint or work order fixes it.")
    writes = [SetpointWrite(machine_id=top.machine_id, tag=move[0].name, value=move[2])] if move else []
    fix = Correction(machine_id=top.machine_id, setpoints=writes, work_order=order, hold=lots.hold, issue=lots.issue)
    return Decided(fix.model_dump(), f"{found.said} Correction: {'; '.join(told)}.")


def fell_back(measured: Reinspection, min_parts: int = MIN_PARTS) -> Decided:
    """Whether the machine's defect rate on the camera fell back after the latest change on its line, with the
    figures before and after; stopped when there is no change, nothing before it, or too few parts after it."""
    machine = measured.machine_id
    if measured.change is None:
        raise Stop(f"no approved setpoint change on {machine}'s line to measure against")
    if not measured.before.inspected:
        raise Stop(f"the camera inspected none of {machine}'s parts before {measured.change.change}")
    if measured.after.inspected < min_parts:
        raise Stop(f"the camera has inspected {measured.after.inspected} of {machine}'s parts since "
                   f"{measured.change.change}; the re-inspection needs {min_parts}")
    fell = measured.after.rate <= FELL_BACK * measured.before.rate
    verdict = "fell back" if fell else "did not fall back"
    return Decided({"fell_back": fell, "before": measured.before.rate, "after": measured.after.rate},
                   f"{machine}'s defect rate on the camera {verdict} after {measured.change.change}: "
                   f"{measured.before.said} before, {measured.after.said} after.")
