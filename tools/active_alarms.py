"""active_alarms: every alarm on a line or in the whole plant, machine by machine.

Where a machine's PLC server keeps alarm conditions (OPC UA Alarms & Conditions) the list is its: each condition
with its severity and states (active or cleared, acknowledged or not, shelved). Elsewhere the alarms are read from
the PLC's tags: its alarm code and each tag past its alarm limit.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.errors import ConnectorError
from connectors.plant import Machine
from connectors.plc.alarms import AlarmCondition
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps
from tools.live import Alarm, alarms_of, read_raw


class ActiveAlarmsArgs(ToolArgs):
    """Which alarms to list: those of one line, or of the whole plant."""

    line_id: str | None = Field(default=None, description="line id, e.g. L1; omit for the whole plant")


class ActiveAlarms(BaseModel):
    """The alarms found (from tags, or the server's alarm conditions), and the machines whose PLC did not answer."""

    alarms: list[Alarm]
    conditions: list[AlarmCondition] = Field(default=[], description="alarm conditions the PLC's server keeps")
    unreachable: dict[str, str] = Field(default={}, description="machines whose PLC did not answer, with why")

    def line(self) -> str:
        shown = [f"{a.machine_id}: {a.message}" for a in self.alarms]
        shown += [c.line() for c in self.conditions if not c.shelved]
        shelved = [c.line() for c in self.conditions if c.shelved]
        down = [f"{m} does not answer" for m in self.unreachable]
        return ("active alarms: " + "; ".join(shown) if shown else "no active alarm") + (
            "; shelved: " + "; ".join(shelved) if shelved else "") + ("; " + "; ".join(down) if down else "")


async def _machine_alarms(deps: Deps, machine: Machine, result: ActiveAlarms) -> None:
    """The machine's alarm conditions if its server keeps them, else the alarms of its tags, into ``result``."""
    try:
        conditions = await deps.plc.alarm_conditions(machine.id)
        if conditions is not None:
            result.conditions.extend(conditions)
            return
        raw = await read_raw(deps.plc, machine)
    except ConnectorError as exc:
        result.unreachable[machine.id] = str(exc)
        return
    result.alarms.extend(alarms_of(deps.plant, machine, raw))


@tool(args=ActiveAlarmsArgs, risk=Risk.read, result=ActiveAlarms, line=ActiveAlarms.line, order=30)
async def active_alarms(deps: Deps, args: ActiveAlarmsArgs, call: Call) -> ActiveAlarms:
    """List the active alarms on one line or the whole plant: the PLC server's alarm conditions (severity,
    acknowledged or not, shelved) where it keeps them, else PLC alarm codes and tags beyond their alarm limits.
    Machines whose PLC does not answer are listed separately."""
    lines = [deps.plant.line(args.line_id)] if args.line_id else deps.plant.lines
    result = ActiveAlarms(alarms=[])
    for line in lines:
        for machine in line.machines:
            await _machine_alarms(deps, machine, result)
    return result
