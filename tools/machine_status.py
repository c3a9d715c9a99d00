"""machine_status: the live state, alarms and tags of one machine."""

from __future__ import annotations

from pydantic import BaseModel, Field

from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps
from tools.lines import number, quoted
from tools.live import Alarm, Reading, alarms_of, read_raw, readings, state_of


class MachineStatusArgs(ToolArgs):
    """The machine whose live status to read."""

    machine_id: str = Field(description="machine id, e.g. P-101")


class MachineStatus(BaseModel):
    """A machine's live status from its PLC: its state, active alarms and every tag."""

    machine_id: str
    name: str
    kind: str
    model: str
    line_id: str
    state: str
    alarms: list[Alarm]
    tags: list[Reading]

    def line(self) -> str:
        """The state, the active alarms and the readings (the state and alarm code tags left out)."""
        head = f"{self.machine_id} ({self.name}) is {self.state}"
        alarms = [a.message for a in self.alarms]
        readings = [f"{r.tag} {quoted(r.value, 40) if isinstance(r.value, str) else number(r.value)} {r.unit}".rstrip()
                    for r in self.tags if r.tag not in ("state", "alarm_code")]
        return (f"{head}; alarms: {'; '.join(alarms)}" if alarms else f"{head}; no active alarm") + \
            (f". Readings: {', '.join(readings)}" if readings else "")

    def said(self) -> str:
        """As a person reads it: the state, the alarms, and each reading by its words, rounded, with its unit
        (empty texts left out), a setpoint with the range it may be set in."""
        head = f"{self.machine_id} ({self.name}) is {self.state}"
        alarms = [a.message for a in self.alarms]
        readings = [r.said() for r in self.tags if r.tag not in ("state", "alarm_code") and r.value != ""]
        return (f"{head}; alarms: {'; '.join(alarms)}" if alarms else f"{head}; no active alarm") + \
            (f". Readings: {', '.join(readings)}" if readings else "")


@tool(args=MachineStatusArgs, risk=Risk.read, result=MachineStatus, line=MachineStatus.line, said=MachineStatus.said,
      order=10)
async def machine_status(deps: Deps, args: MachineStatusArgs, call: Call) -> MachineStatus:
    """Read one machine's live status from its PLC: running/stopped/faulted, active alarms, and every tag
    (value, unit; for writable setpoints their limits and maximum step). Use this first when an operator
    reports a problem with a machine."""
    machine = deps.plant.machine(args.machine_id)
    raw = await read_raw(deps.plc, machine)
    return MachineStatus(
        machine_id=machine.id,
        name=machine.name,
        kind=machine.kind,
        model=machine.model,
        line_id=machine.line_id,
        state=state_of(machine, raw),
        alarms=alarms_of(deps.plant, machine, raw),
        tags=readings(machine, raw),
    )
