"""line_history: a line's machines over a window — defect rates, readings, setpoints, material lots, tools and the
camera's inspections — from the historian and the MES, split into the usual and now: what root cause by code
compares."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.errors import NotFound
from connectors.genealogy import MaterialLoad, MaterialLotRecord, ToolLife
from connectors.plant import Machine, Plant, Tag, drives
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.sign_offs import SignOff, SignOffStatus

POINTS = 120  # samples kept per series: the window thinned evenly (the judgement is on means and spreads)
DEFECT_RATE = "defect_rate"
"""The tag a machine counts its defect rate in, percent."""
COUNTERS = ("good_count", "reject_count", DEFECT_RATE, "run_hours")  # numbers of a machine that are not readings

Samples = list[tuple[float, float]]  # (seconds, value), oldest first


class LineHistoryArgs(ToolArgs):
    """Which line (or the line of a machine), over how long, and how much of its end is now."""

    line_id: str | None = Field(default=None, description="line id, e.g. L2")
    machine_id: str | None = Field(default=None, description="a machine of the line, e.g. OV-201")
    minutes: float = Field(default=60, gt=0, le=24 * 60, description="the window")
    recent_minutes: float = Field(default=15, gt=0, le=12 * 60, description="its last part, taken as now")


class Series(BaseModel):
    """One numeric tag's samples over the window, with its unit and range (what a move is measured against)."""

    tag: str
    unit: str
    words: str = ""  # how people call the tag (Tag.words)
    span: float = Field(description="the tag's engineering range, max - min")
    samples: Samples = []


class LotLoad(BaseModel):
    """A material lot loaded on a machine at ``at`` seconds (the historian's clock)."""

    at: float
    lot: str


class Inspected(BaseModel):
    """A camera's inspection of a machine's parts: when its newest picture was taken (the historian's clock), how
    many parts and how many of each defect class."""

    at: float
    inspected: int
    defects_by_class: dict[str, int] = {}


class MachineHistory(BaseModel):
    """A machine's window: its defect rate, readings, setpoints (``drives``: reading -> the setpoint that drives
    it), the lots it ran (the first one loaded at or before the window's start), the camera's inspections and its
    tool's cycles against its rated life (None: it has no tool)."""

    machine_id: str
    defect_rate: Samples = []
    readings: list[Series] = []
    setpoints: list[Series] = []
    drives: dict[str, str] = {}
    lots: list[LotLoad] = []
    inspections: list[Inspected] = []
    tool: ToolLife | None = None


class LineHistory(BaseModel):
    """A line's machines over one window; before ``split`` (seconds, the historian's clock) is the usual, from it
    is now."""

    line_id: str
    minutes: float = 60
    split: float
    machines: list[MachineHistory]
    sign_offs: list[SignOff] = Field(default=[], description="changes approved on the line's machines in the window")
    material_lots: list[MaterialLotRecord] = Field(
        default=[], description="the MES's lots of the materials the line ran, with their status (on hold or not)")

    def line(self) -> str:
        series = sum(len(m.readings) + len(m.setpoints) + bool(m.defect_rate) for m in self.machines)
        loads = sum(max(0, len(m.lots) - 1) for m in self.machines)
        inspected = sum(i.inspected for m in self.machines for i in m.inspections)
        worn = sum(m.tool is not None and m.tool.used > 1 for m in self.machines)
        return (f"line_history {self.line_id}: {len(self.machines)} machines, {series} series over "
                f"{self.minutes:g} min, {loads} lot changes, {worn} tools past their rated life, {inspected} parts "
                "inspected by camera")


def _thinned(samples: Samples) -> Samples:
    return samples[::max(1, len(samples) // POINTS)]


def _span(tag: Tag, samples: Samples) -> float:
    if tag.min is not None and tag.max is not None and tag.max > tag.min:
        return tag.max - tag.min
    return max((abs(v) for _, v in samples), default=1.0) or 1.0


def _is_reading(tag: Tag) -> bool:
    """A measured value of the process: numeric, not written, not a state, a flag, an alarm code or a counter."""
    return (not tag.writable and not tag.is_text and tag.enum is None and tag.value_type != "bool"
            and bool(tag.unit) and tag.name not in COUNTERS)


async def _machine(deps: Deps, machine: Machine, minutes: float, lots: list[MaterialLoad],
                   inspections: list[Inspected]) -> MachineHistory:
    """One machine's histories over the window, read from the historian."""
    async def series(tag: Tag) -> Series:
        samples = _thinned(await deps.history.samples(machine.id, tag.name, minutes))
        return Series(tag=tag.name, unit=tag.unit, words=tag.words, span=_span(tag, samples), samples=samples)

    readings = [await series(t) for t in machine.tags.values() if _is_reading(t)]
    setpoints = [await series(t) for t in machine.setpoints]
    driven = {r.tag: [s.name for s in machine.setpoints if drives(s, machine.tags[r.tag])] for r in readings}
    defects = _thinned(await deps.history.samples(machine.id, DEFECT_RATE, minutes)) \
        if DEFECT_RATE in machine.tags else []
    return MachineHistory(machine_id=machine.id, defect_rate=defects, readings=readings, setpoints=setpoints,
                          drives={r: s[0] for r, s in driven.items() if len(s) == 1},
                          lots=[LotLoad(at=x.loaded_at, lot=x.lot) for x in lots if x.machine_id == machine.id],
                          inspections=inspections)


async def _camera_inspections(deps: Deps, line_id: str, minutes: float) -> dict[str, list[Inspected]]:
    """The camera's inspections of each machine of the line in the window, oldest first: those that say when their
    pictures were taken (a hand-typed inspection does not)."""
    report = await deps.mes.quality(line=line_id, since_minutes=minutes)
    return {m.machine_id: sorted((Inspected(at=i.taken_at, inspected=i.inspected, defects_by_class=i.defects_by_class)
                                  for i in m.inspections if i.taken_at is not None), key=lambda i: i.at)
            for m in report.machines}


def _line_of(plant: Plant, args: LineHistoryArgs) -> str:
    if args.machine_id:
        return plant.machine(args.machine_id).line_id
    if not args.line_id:
        raise NotFound(f"give a line or a machine; the lines are: {', '.join(line.id for line in plant.lines)}")
    return args.line_id.strip().upper()


@tool(args=LineHistoryArgs, risk=Risk.read, result=LineHistory, line=LineHistory.line, order=45,
      in_free_loop=False, systems=(System.mes,))
async def line_history(deps: Deps, args: LineHistoryArgs, call: Call) -> LineHistory:
    """The histories of every machine on a line over a window: defect rates, readings, setpoints and the material
    lots they ran, for finding why the line's defects rose."""
    line_id = _line_of(deps.plant, args)
    line = next((x for x in deps.plant.lines if x.id == line_id), None)
    if line is None:
        raise NotFound(f"unknown line {line_id!r}; the lines are: {', '.join(x.id for x in deps.plant.lines)}")
    lots = await deps.mes.material_lots(line=line.id, since_minutes=args.minutes)
    seen = await _camera_inspections(deps, line.id, args.minutes)
    machines = [await _machine(deps, m, args.minutes, lots, seen.get(m.id, [])) for m in line.machines]
    tools = {t.machine_id: t for t in await deps.mes.tools(line=line.id)}
    for m in machines:
        m.tool = tools.get(m.machine_id)
    newest = max((s[-1][0] for m in machines for s in (m.defect_rate, *(r.samples for r in m.readings)) if s),
                 default=0.0)
    for m in machines:  # the window on the historian's clock
        m.inspections = [i for i in m.inspections if i.at >= newest - args.minutes * 60]
    on_line = {m.id for m in line.machines}
    signed = [s for s in (deps.sign_offs.decided(args.minutes * 60) if deps.sign_offs else [])
              if s.status is SignOffStatus.approved and s.machine_id in on_line]
    return LineHistory(line_id=line.id, minutes=args.minutes, split=newest - args.recent_minutes * 60,
                       machines=machines, sign_offs=signed, material_lots=await _lots_of(deps, lots))


async def _lots_of(deps: Deps, loads: list[MaterialLoad]) -> list[MaterialLotRecord]:
    """The MES's lots of every material the line ran in the window (a lot the MES does not hold is left out)."""
    held = await deps.mes.lots()
    ran = {x.lot.strip().upper() for x in loads}
    materials = {r.material for r in held if r.id in ran}
    return [r for r in held if r.material in materials]
