"""open_work_orders: maintenance work orders not yet done, from the ERP's CMMS."""

from __future__ import annotations

from pydantic import BaseModel, Field

from policies.model import Risk
from tools.base import Call, tool
from tools.deps import Deps


class OpenWorkOrdersArgs(BaseModel):
    machine_id: str | None = Field(default=None, description="machine id, e.g. P-101; omit for all machines")


@tool(args=OpenWorkOrdersArgs, risk=Risk.read)
async def open_work_orders(deps: Deps, args: OpenWorkOrdersArgs, call: Call):
    """List open maintenance work orders (status open or in progress), for one machine or all. Check this
    before creating a new work order so the same problem is not reported twice."""
    if args.machine_id:
        deps.plant.machine(args.machine_id)
    orders = await deps.erp.list_work_orders(machine_id=args.machine_id)
    return [o for o in orders if o.status in ("open", "in_progress")]
