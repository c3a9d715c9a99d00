"""write_setpoint: change a writable setpoint on a machine's PLC."""

from __future__ import annotations

from pydantic import Field

from connectors.plc import WriteResult
from policies.model import Risk
from tools.base import ActionFacts, Call, Number, ToolArgs, record_id, tool
from tools.deps import Deps
from tools.plc_write import write_facts


class WriteSetpointArgs(ToolArgs):
    """A new value for a machine's writable setpoint, and why."""

    machine_id: str = Field(description="machine id, e.g. OV-201")
    tag: str = Field(description="a writable setpoint tag, e.g. temp_setpoint")
    value: Number = Field(description="the new value in the tag's engineering unit")
    reason: str = Field(default="", max_length=500)


async def _facts(deps: Deps, args: WriteSetpointArgs) -> ActionFacts:
    return await write_facts(deps, args.machine_id, args.tag, args.value)


@tool(args=WriteSetpointArgs, risk=Risk.write, result=WriteResult, line=record_id, order=110, facts=_facts)
async def write_setpoint(deps: Deps, args: WriteSetpointArgs, call: Call) -> WriteResult:
    """Propose a new value for a writable setpoint (e.g. OV-201 temp_setpoint). It must be within the tag's
    limits and maximum step (machine_status shows them); it runs only after the policy allows it, usually
    with a supervisor's approval."""
    return await deps.plc.write(args.machine_id, args.tag, args.value)
