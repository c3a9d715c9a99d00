"""shelve_alarm: shelve an alarm condition for a time on the PLC's server (OPC UA TimedShelve)."""

from __future__ import annotations

from pydantic import Field

from connectors.plc.alarms import AlarmCondition
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, tool
from tools.conditions import find_condition
from tools.deps import Deps

MAX_SHELVE_MINUTES = 480
"""The longest a shelving may last (8 hours, a shift): the simulator's server refuses longer ones too."""


class ShelveAlarmArgs(ToolArgs):
    """The alarm to shelve, for how long, and why."""

    machine_id: str = Field(description="machine id, e.g. P-101")
    condition: str = Field(min_length=1, max_length=200,
                           description="the alarm as active_alarms lists it (vibration_high) or in words (vibration)")
    minutes: float = Field(gt=0, le=MAX_SHELVE_MINUTES, description="how long the alarm stays shelved, in minutes")
    reason: str = Field(min_length=5, max_length=500, description="why it may be hidden that long, e.g. a known "
                                                                  "fault with a work order open")


async def _facts(deps: Deps, args: ShelveAlarmArgs) -> ActionFacts:
    machine = deps.plant.machine(args.machine_id)
    found = await find_condition(deps, machine.id, args.condition)
    return ActionFacts(machine_id=machine.id, line_id=machine.line_id,
                       change=f"shelve alarm {found.condition} on {machine.id} (severity {found.severity}) for "
                              f"{args.minutes:g} min: {args.reason}",
                       extra={"condition": found.condition, "severity": found.severity, "minutes": args.minutes})


def _line(result: AlarmCondition) -> str:
    return f"shelved: {result.line()}"


@tool(args=ShelveAlarmArgs, risk=Risk.write, result=AlarmCondition, line=_line, order=36, facts=_facts)
async def shelve_alarm(deps: Deps, args: ShelveAlarmArgs, call: Call) -> AlarmCondition:
    """Shelve (hide) an alarm on a machine for a number of minutes, with the reason, e.g. a known fault already
    being repaired. It comes back by itself when the time runs out. A supervisor signs off every shelving."""
    machine = deps.plant.machine(args.machine_id)
    found = await find_condition(deps, machine.id, args.condition)
    return await deps.plc.shelve_alarm(machine.id, found.condition_id, args.minutes * 60.0)
