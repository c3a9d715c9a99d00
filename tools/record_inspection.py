"""record_inspection: log a (re-)inspection result in the MES, closing a quality loop."""

from __future__ import annotations

from pydantic import Field, model_validator

from connectors.records import Inspection, InspectionCreate
from policies.model import Risk
from tools.base import ActionFacts, Call, Count, ToolArgs, record_id, tool
from tools.deps import Deps, System


class RecordInspectionArgs(ToolArgs):
    """An inspection to record on a machine: parts inspected, defects found and their type."""

    machine_id: str = Field(description="machine id, e.g. IM-103")
    inspected: Count = Field(gt=0, description="parts inspected")
    defects: Count = Field(description="defective parts found")
    defect_type: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _defects_fit(self) -> RecordInspectionArgs:
        if self.defects > self.inspected:
            raise ValueError("defects cannot exceed parts inspected")
        return self


async def _facts(deps: Deps, args: RecordInspectionArgs) -> ActionFacts:
    machine = deps.plant.machine(args.machine_id)
    return ActionFacts(
        machine_id=machine.id,
        line_id=machine.line_id,
        quantity=args.inspected,
        change=f"inspection on {machine.id}: {args.defects}/{args.inspected} defective {args.defect_type}".rstrip(),
    )


@tool(args=RecordInspectionArgs, risk=Risk.write, result=Inspection, line=record_id, order=150, facts=_facts,
      systems=(System.mes,))
async def record_inspection(deps: Deps, args: RecordInspectionArgs, call: Call) -> Inspection:
    """Record the result of a quality inspection (parts inspected, defects found, defect type) for a machine,
    e.g. the re-inspection after a parameter change."""
    machine = deps.plant.machine(args.machine_id)
    record = InspectionCreate(
        machine_id=machine.id,
        inspected=args.inspected,
        defects=args.defects,
        defect_type=args.defect_type,
        note=args.note,
        requested_by=call.requester,
    )
    return await deps.mes.record_inspection(record, idempotency_key=call.idempotency_key)
