"""start_production_order: the MES records a line's switch to its next order (the finished one closed as done)."""

from __future__ import annotations

from pydantic import Field

from connectors.configured_orders import ProductionOrderStart
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from policies.model import Risk
from tools.base import ActionFacts, Call, ToolArgs, record_id, tool
from tools.deps import Deps, System


class StartProductionOrderArgs(ToolArgs):
    """The planned production order its line switches to, and why."""

    order_id: str = Field(min_length=1, max_length=40, description="production order id, e.g. PO-L1-0044")
    reason: str = Field(default="", max_length=500)


async def _facts(deps: Deps, args: StartProductionOrderArgs) -> ActionFacts:
    order = await deps.mes.get_production_order(args.order_id)
    running = await deps.mes.list_production_orders(line=order.line, status=ProductionOrderStatus.in_progress)
    before = ", ".join(o.id for o in running) or "no order"
    return ActionFacts(line_id=order.line, old_value=before, new_value=order.id,
                       change=f"line {order.line}: {before} → {order.id} ({order.variant}, {order.quantity})",
                       extra={"order_status": order.status.value})


@tool(args=StartProductionOrderArgs, risk=Risk.write, result=ProductionOrderRecord, line=record_id, order=143,
      facts=_facts, systems=(System.mes,))
async def start_production_order(deps: Deps, args: StartProductionOrderArgs, call: Call) -> ProductionOrderRecord:
    """Record in the MES that a line switched to a planned order, once the order in progress has made its
    quantity (that one is closed as done)."""
    start = ProductionOrderStart(requested_by=call.requester, reason=args.reason)
    return await deps.mes.start_production_order(args.order_id, start, idempotency_key=call.idempotency_key)
