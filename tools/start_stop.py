"""start_machine and stop_machine: the run command of a machine's PLC."""

from __future__ import annotations

from pydantic import Field

from connectors.plant import RUN_TAG
from connectors.plc import WriteResult
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, record_id, tool
from tools.deps import Deps
from tools.plc_write import write_facts


class RunCommandArgs(ToolArgs):
    """The machine to start or stop, and why."""

    machine_id: str = Field(description="machine id, e.g. CV-203")
    reason: str = Field(default="", max_length=500)


async def _start_facts(deps: Deps, args: RunCommandArgs) -> ActionFacts:
    return await write_facts(deps, args.machine_id, RUN_TAG, 1)


async def _stop_facts(deps: Deps, args: RunCommandArgs) -> ActionFacts:
    return await write_facts(deps, args.machine_id, RUN_TAG, 0)


@tool(args=RunCommandArgs, risk=Risk.critical, result=WriteResult, line=record_id, order=120, facts=_start_facts)
async def start_machine(deps: Deps, args: RunCommandArgs, call: Call) -> WriteResult:
    """Start a stopped machine (sets its run command). Critical: the machine and its area must be clear; two
    people must approve. Say why."""
    return await deps.plc.write(args.machine_id, RUN_TAG, 1)


@tool(args=RunCommandArgs, risk=Risk.critical, result=WriteResult, line=record_id, order=130, facts=_stop_facts)
async def stop_machine(deps: Deps, args: RunCommandArgs, call: Call) -> WriteResult:
    """Stop a running machine (clears its run command). Critical: stopping halts the line; two people must
    approve. Say why."""
    return await deps.plc.write(args.machine_id, RUN_TAG, 0)
