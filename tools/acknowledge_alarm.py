"""acknowledge_alarm: acknowledge an alarm condition on the PLC's server (OPC UA Alarms & Conditions)."""

from __future__ import annotations

from pydantic import Field

from connectors.plc.alarms import AlarmCondition
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, tool
from tools.conditions import find_condition
from tools.deps import Deps


class AcknowledgeAlarmArgs(ToolArgs):
    """The alarm to acknowledge: its machine and condition, and the operator's comment."""

    machine_id: str = Field(description="machine id, e.g. P-101")
    condition: str = Field(min_length=1, max_length=200,
                           description="the alarm as active_alarms lists it (vibration_high) or in words (vibration)")
    comment: str = Field(default="", max_length=500, description="what the operator saw or did")


async def _facts(deps: Deps, args: AcknowledgeAlarmArgs) -> ActionFacts:
    machine = deps.plant.machine(args.machine_id)
    found = await find_condition(deps, machine.id, args.condition)
    return ActionFacts(machine_id=machine.id, line_id=machine.line_id,
                       change=f"acknowledge alarm {found.condition} on {machine.id} (severity {found.severity})",
                       extra={"condition": found.condition, "severity": found.severity})


def _line(result: AlarmCondition) -> str:
    return f"acknowledged: {result.line()}"


@tool(args=AcknowledgeAlarmArgs, risk=Risk.write, result=AlarmCondition, line=_line, order=35, facts=_facts)
async def acknowledge_alarm(deps: Deps, args: AcknowledgeAlarmArgs, call: Call) -> AlarmCondition:
    """Acknowledge an alarm on a machine (an operator has seen it and is on it): the PLC's server marks the
    condition acknowledged. Changes no equipment; the alarm stays active until its cause clears. List the alarms
    with active_alarms first to get the condition's name."""
    machine = deps.plant.machine(args.machine_id)
    comment = f"{args.comment} ({call.requester})" if args.comment else f"acknowledged by {call.requester}"
    found = await find_condition(deps, machine.id, args.condition)
    return await deps.plc.acknowledge_alarm(machine.id, found.condition_id, comment)
