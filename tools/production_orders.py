"""production_orders: what each line is making, from the MES."""

from __future__ import annotations

from pydantic import Field

from connectors.records import ProductionOrderRecord
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lines import spaced


class ProductionOrdersArgs(ToolArgs):
    """The line whose production orders to list, or all lines."""

    line_id: str | None = Field(default=None, description="line id, e.g. L2; omit for all lines")


def orders_told(orders: list[ProductionOrderRecord]) -> str:
    """The orders as one line of an answer."""
    return "production orders: " + "; ".join(
        f"{o.id} on {o.line}: {o.product} {o.variant}, {o.produced} of {o.quantity} made ({spaced(o.status)})"
        for o in orders) if orders else "no production order"


@tool(args=ProductionOrdersArgs, risk=Risk.read, result=list[ProductionOrderRecord], line=orders_told, order=70,
      systems=(System.mes,))
async def production_orders(deps: Deps, args: ProductionOrdersArgs, call: Call):
    """List production orders (product, variant, quantity, produced, status) on a line or all lines."""
    return await deps.mes.list_production_orders(line=args.line_id)
