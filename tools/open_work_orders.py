"""open_work_orders: maintenance work orders not yet done, from the ERP's CMMS."""

from __future__ import annotations

from pydantic import Field

from connectors.records import WorkOrder
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lines import quoted, spaced


class OpenWorkOrdersArgs(ToolArgs):
    """The machine or the line whose open work orders to list, or all machines."""

    machine_id: str | None = Field(default=None, description="machine id, e.g. P-101; omit for all machines")
    line_id: str | None = Field(default=None, description="line id, e.g. L1: the open work orders of its machines")


def _line(orders: list[WorkOrder]) -> str:
    if not orders:
        return "no open work order"
    return "open work orders: " + "; ".join(
        f"{o.id} on {o.machine_id}: {quoted(o.title, 80)} ({o.priority}, {spaced(o.status)})" for o in orders)


@tool(args=OpenWorkOrdersArgs, risk=Risk.read, result=list[WorkOrder], line=_line, order=60, systems=(System.erp,))
async def open_work_orders(deps: Deps, args: OpenWorkOrdersArgs, call: Call):
    """List open maintenance work orders (status open or in progress), for one machine, one line's machines or
    all. Check this before creating a new work order so the same problem is not reported twice."""
    if args.machine_id:
        deps.plant.machine(args.machine_id)
    line = deps.plant.line(args.line_id).id if args.line_id else None
    orders = await deps.erp.list_work_orders(machine_id=args.machine_id)
    return [o for o in orders if o.is_open and line in (None, o.line_id)]
