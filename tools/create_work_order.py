"""create_work_order: open a maintenance work order in the ERP's CMMS."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from connectors.records import WorkOrder, WorkOrderCreate, WorkOrderPart
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, record_id, tool
from tools.deps import Deps, System


class CreateWorkOrderArgs(ToolArgs):
    """A work order to open on a machine: title, symptoms, priority, kind and the parts it needs."""

    machine_id: str = Field(description="machine id, e.g. P-101")
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000, description="symptoms, readings and suspected cause")
    priority: Literal["low", "medium", "high", "urgent"] = "medium"
    kind: Literal["corrective", "preventive", "inspection"] = "corrective"
    parts: list[WorkOrderPart] = Field(default=[], description="spare parts the job will need")


async def _facts(deps: Deps, args: CreateWorkOrderArgs) -> ActionFacts:
    machine = deps.plant.machine(args.machine_id)
    return ActionFacts(
        machine_id=machine.id,
        line_id=machine.line_id,
        change=f"new {args.priority} {args.kind} work order on {machine.id}: {args.title}",
        extra={"priority": args.priority, "kind": args.kind},
    )


@tool(args=CreateWorkOrderArgs, risk=Risk.write, result=WorkOrder, line=record_id, order=90, facts=_facts,
      makes_record=True, systems=(System.erp,))
async def create_work_order(deps: Deps, args: CreateWorkOrderArgs, call: Call) -> WorkOrder:
    """Open a maintenance work order for a machine (title, description of symptoms and readings, priority,
    kind, parts needed). Check open_work_orders first so the same problem is not reported twice."""
    machine = deps.plant.machine(args.machine_id)
    order = WorkOrderCreate(
        machine_id=machine.id,
        title=args.title,
        description=args.description,
        priority=args.priority,
        kind=args.kind,
        parts=args.parts,
        requested_by=call.requester,
    )
    return await deps.erp.create_work_order(order, idempotency_key=call.idempotency_key)
