"""change_production_order: switch a running order's variant or quantity (personalisation mid-run)."""

from __future__ import annotations

from pydantic import Field, model_validator

from connectors.records import ProductionOrderChange, ProductionOrderRecord
from policies.model import Risk
from tools.base import ActionFacts, Call, Count, ToolArgs, record_id, tool
from tools.deps import Deps, System


class ChangeProductionOrderArgs(ToolArgs):
    """A production order to change, its new variant or quantity (or both), and why."""

    order_id: str = Field(description="production order id, e.g. PO-L2-0107")
    variant: str | None = Field(default=None, description="new variant id of the same product")
    quantity: Count | None = Field(default=None, gt=0, description="new total quantity (not below what is produced)")
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _something_changes(self) -> ChangeProductionOrderArgs:
        if self.variant is None and self.quantity is None:
            raise ValueError("give a new variant, a new quantity, or both")
        return self


async def _facts(deps: Deps, args: ChangeProductionOrderArgs) -> ActionFacts:
    order = await deps.mes.get_production_order(args.order_id)
    changes = []
    if args.variant is not None:
        changes.append(f"variant {order.variant} → {args.variant}")
    if args.quantity is not None:
        changes.append(f"quantity {order.quantity} → {args.quantity}")
    return ActionFacts(
        line_id=order.line,
        old_value=order.quantity if args.quantity is not None else order.variant,
        new_value=args.quantity if args.quantity is not None else args.variant,
        quantity=args.quantity,
        change=f"{order.id}: " + ", ".join(changes),
        extra={"order_status": order.status.value, "produced": order.produced},  # a plain str: rules match by type
    )


@tool(args=ChangeProductionOrderArgs, risk=Risk.write, result=ProductionOrderRecord, line=record_id, order=140,
      facts=_facts, systems=(System.mes,))
async def change_production_order(deps: Deps, args: ChangeProductionOrderArgs, call: Call) -> ProductionOrderRecord:
    """Change a production order's variant (e.g. colour or options of the same product) or quantity while it
    runs. Use production_orders first to find the order and its product's variants."""
    change = ProductionOrderChange(
        variant=args.variant, quantity=args.quantity, requested_by=call.requester, reason=args.reason
    )
    return await deps.mes.change_production_order(args.order_id, change, idempotency_key=call.idempotency_key)
