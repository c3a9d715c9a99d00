"""active_alarms: every alarm on a line or in the whole plant, machine by machine."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.errors import ConnectorError
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps
from tools.live import Alarm, alarms_of, read_raw


class ActiveAlarmsArgs(ToolArgs):
    """Which alarms to list: those of one line, or of the whole plant."""

    line_id: str | None = Field(default=None, description="line id, e.g. L1; omit for the whole plant")


class ActiveAlarms(BaseModel):
    """The active alarms found, and the machines whose PLC did not answer."""

    alarms: list[Alarm]
    unreachable: dict[str, str] = Field(default={}, description="machines whose PLC did not answer, with why")

    def line(self) -> str:
        alarms = [f"{a.machine_id}: {a.message}" for a in self.alarms]
        down = [f"{m} does not answer" for m in self.unreachable]
        return ("active alarms: " + "; ".join(alarms) if alarms else "no active alarm") + (
            "; " + "; ".join(down) if down else "")


@tool(args=ActiveAlarmsArgs, risk=Risk.read, result=ActiveAlarms, line=ActiveAlarms.line, order=30)
async def active_alarms(deps: Deps, args: ActiveAlarmsArgs, call: Call) -> ActiveAlarms:
    """List the active alarms (PLC alarm codes and tags beyond their alarm limits) on one line or the whole
    plant. Machines whose PLC does not answer are listed separately."""
    lines = [deps.plant.line(args.line_id)] if args.line_id else deps.plant.lines
    result = ActiveAlarms(alarms=[])
    for line in lines:
        for machine in line.machines:
            try:
                raw = await read_raw(deps.plc, machine)
            except ConnectorError as exc:
                result.unreachable[machine.id] = str(exc)
                continue
            result.alarms.extend(alarms_of(deps.plant, machine, raw))
    return result
