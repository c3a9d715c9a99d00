"""machine_status: the live state, alarms and tags of one machine."""

from __future__ import annotations

from pydantic import BaseModel, Field

from policies.model import Risk
from tools.base import Call, tool
from tools.deps import Deps
from tools.live import Alarm, Reading, alarms_of, read_raw, readings, state_of


class MachineStatusArgs(BaseModel):
    machine_id: str = Field(description="machine id, e.g. P-101")


class MachineStatus(BaseModel):
    machine_id: str
    name: str
    kind: str
    model: str
    line_id: str
    state: str
    alarms: list[Alarm]
    tags: list[Reading]


@tool(args=MachineStatusArgs, risk=Risk.read)
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
