"""reinspection: a machine's parts as the in-line camera found them before and after the latest approved setpoint
change on its line — what tells whether a correction brought the defect rate back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.records import Inspection
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.sign_offs import SignOff, SignOffStatus


class ReinspectionArgs(ToolArgs):
    """Which machine's parts, how far back the change may lie, and how long before it counts as before."""

    machine_id: str = Field(description="the machine whose parts the camera inspects, e.g. IM-103")
    hours: float = Field(default=8, gt=0, le=72, description="how far back to look for the change")
    minutes_before: float = Field(default=15, gt=0, le=240,
                                  description="the camera's figures before the change: its last minutes before it")
    settle_minutes: float = Field(default=10, ge=0, le=240, description="the process's time to settle after the "
                                  "change: parts photographed within it are left out")


class Tally(BaseModel):
    """Parts the camera inspected over a stretch: how many, how many defective, and how many of each class."""

    inspected: int = 0
    defects: int = 0
    by_class: dict[str, int] = {}

    @property
    def rate(self) -> float:
        """Percent of the parts inspected found defective (0 with none inspected)."""
        return 100.0 * self.defects / self.inspected if self.inspected else 0.0

    @property
    def said(self) -> str:
        classes = ", ".join(f"{name.replace('_', ' ')} {100.0 * n / self.inspected:.1f} %"
                            for name, n in sorted(self.by_class.items(), key=lambda x: -x[1]) if n)
        return f"{self.rate:.1f} % of {self.inspected} parts" + (f" ({classes})" if classes else "")


class Reinspection(BaseModel):
    """The machine's parts before the change (its last ``minutes_before`` on the plant's clock) and after it (those
    photographed once the process settled); no change found leaves ``change`` empty and both stretches empty."""

    machine_id: str
    change: SignOff | None = None
    before: Tally = Tally()
    after: Tally = Tally()

    def line(self) -> str:
        if self.change is None:
            return f"reinspection {self.machine_id}: no approved setpoint change on its line"
        return (f"reinspection {self.machine_id} after {self.change.change}: before {self.before.said}; "
                f"after {self.after.said}")


def _summed(inspections: list[Inspection]) -> Tally:
    classes: dict[str, int] = {}
    for i in inspections:
        for name, n in i.defects_by_class.items():
            classes[name] = classes.get(name, 0) + n
    return Tally(inspected=sum(i.inspected for i in inspections), defects=sum(i.defects for i in inspections),
                     by_class=classes)


def split_at(inspections: list[Inspection], at: float, minutes_before: float,
             settle_minutes: float) -> tuple[Tally, Tally]:
    """The camera's inspections (those that say when their pictures were taken) recorded before ``at`` (seconds
    since the epoch) within ``minutes_before`` of the last of them on the plant's clock, and those recorded after
    whose newest picture was taken ``settle_minutes`` or more after that last one."""
    camera = [i for i in inspections if i.taken_at is not None]
    before = [i for i in camera if i.recorded_at.timestamp() < at]
    after = [i for i in camera if i.recorded_at.timestamp() >= at]
    last = max((i.taken_at for i in before), default=0.0)
    return (_summed([i for i in before if i.taken_at >= last - minutes_before * 60]),
            _summed([i for i in after if i.taken_at >= last + settle_minutes * 60]))


async def measured(deps: Deps, args: ReinspectionArgs) -> Reinspection:
    """The camera's figures of the machine around the latest approved setpoint change on its line."""
    machine = deps.plant.machine(args.machine_id)
    line = {m.id for m in deps.plant.machines.values() if m.line_id == machine.line_id}
    decided = deps.sign_offs.decided(args.hours * 3600) if deps.sign_offs else []
    changes = [s for s in decided if s.status is SignOffStatus.approved and s.tool == "write_setpoint"
               and s.machine_id in line and s.decided_at is not None]
    if not changes:
        return Reinspection(machine_id=machine.id)
    change = max(changes, key=lambda s: s.decided_at or 0.0)
    report = await deps.mes.quality(machine_id=machine.id, since_minutes=args.hours * 60 + args.minutes_before)
    inspections = [i for m in report.machines for i in m.inspections]
    before, after = split_at(inspections, change.decided_at or 0.0, args.minutes_before, args.settle_minutes)
    return Reinspection(machine_id=machine.id, change=change, before=before, after=after)


@tool(args=ReinspectionArgs, risk=Risk.read, result=Reinspection, line=Reinspection.line, order=46,
      in_free_loop=False, systems=(System.mes,))
async def reinspection(deps: Deps, args: ReinspectionArgs, call: Call) -> Reinspection:
    """A machine's parts as the in-line camera found them before and after the latest approved setpoint change on
    its line: parts inspected, defect rate and defects by class, to tell whether a correction worked."""
    return await measured(deps, args)
