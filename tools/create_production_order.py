"""create_production_order: a configured order (colour, options, quantity) with its recipe, in the MES, queued on
its product's line before a planned order (the sequencer's place) or last."""

from __future__ import annotations

from pydantic import Field

from connectors.configured_orders import OrderSetpoint, ProductionOrderCreate
from connectors.records import ProductionOrderRecord
from policies.model import Risk
from tools.base import ActionFacts, Call, Count, ToolArgs, record_id, tool
from tools.deps import Deps, System


class CreateProductionOrderArgs(ToolArgs):
    """A configuration to make, how many, the recipe its setpoints run at, and why."""

    product: str = Field(min_length=1, max_length=40, description="product id, e.g. HX-200")
    colour: str = Field(min_length=1, max_length=40)
    options: list[str] = Field(default=[], max_length=10, description="option ids, e.g. uv_stabilised")
    quantity: Count = Field(gt=0, le=10_000_000)
    recipe: list[OrderSetpoint] = Field(default=[], max_length=40, description="{machine_id, tag, value} each")
    before: str | None = Field(default=None, min_length=1, max_length=40,
                               description="queue it just before this planned order of its line, e.g. PO-L1-0043; "
                                           "none: last")
    reason: str = Field(default="", max_length=500)


async def _facts(deps: Deps, args: CreateProductionOrderArgs) -> ActionFacts:
    products = {p.id: p for p in await deps.mes.products()}
    product = products.get(args.product.strip().upper())
    options = f" with {', '.join(args.options)}" if args.options else ""
    recipe = f"; recipe {', '.join(s.line for s in args.recipe)}" if args.recipe else ""
    place = f", queued before {args.before}" if args.before else ", queued last"
    return ActionFacts(
        line_id=product.line if product else None,
        quantity=args.quantity,
        new_value=args.quantity,
        change=f"new production order: {args.quantity} {args.product} {args.colour}{options}{place}{recipe}",
        extra={"product": args.product, "colour": args.colour},
    )


@tool(args=CreateProductionOrderArgs, risk=Risk.write, result=ProductionOrderRecord, line=record_id, order=141,
      facts=_facts, makes_record=True, systems=(System.mes,))
async def create_production_order(deps: Deps, args: CreateProductionOrderArgs, call: Call) -> ProductionOrderRecord:
    """Create a production order of a configured product (colour, options, quantity) with its recipe, queued on
    its line before the planned order ``before`` or last. Check the configuration first (configure_order_check)."""
    order = ProductionOrderCreate(product=args.product, colour=args.colour, options=args.options,
                                  quantity=args.quantity, recipe=args.recipe, before=args.before,
                                  requested_by=call.requester, reason=args.reason)
    return await deps.mes.create_production_order(order, idempotency_key=call.idempotency_key)
