"""purchase_orders: spare parts on order, from the ERP: who supplies them and when they land."""

from __future__ import annotations

from pydantic import Field

from connectors.records import PurchaseOrder, PurchaseOrderStatus
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lines import spaced


class PurchaseOrdersArgs(ToolArgs):
    """The purchase orders to list: of one part, of a machine's bill of materials, or all still on order."""

    part_id: str | None = Field(default=None, description="part number, e.g. BRG-6205; omit for every part")
    machine_id: str | None = Field(default=None, description="only the parts in this machine's bill of materials")
    received: bool = Field(default=False, description="also the orders already received or cancelled")


def _line(orders: list[PurchaseOrder]) -> str:
    if not orders:
        return "no purchase order"
    return "purchase orders: " + "; ".join(
        f"{o.id}: {o.quantity} {o.unit} {o.part} ({o.part_name}) from {o.supplier_name} ({o.supplier}), "
        f"{spaced(o.status)}" + (f", expected {o.expected_delivery.isoformat()}"
                                 if o.status is PurchaseOrderStatus.ordered else "")
        + f", asked by {o.requested_by}" for o in orders)


@tool(args=PurchaseOrdersArgs, risk=Risk.read, result=list[PurchaseOrder], line=_line, order=55,
      systems=(System.erp,))
async def purchase_orders(deps: Deps, args: PurchaseOrdersArgs, call: Call):
    """List purchase orders of spare parts (supplier, quantity, expected delivery, status, who asked), newest
    first: still on order unless ``received`` is asked; of one part, a machine's parts, or all."""
    parts = {b.part for b in deps.plant.machine(args.machine_id).bom} if args.machine_id else None
    if args.part_id:
        await deps.erp.get_part(args.part_id)  # an unknown part is NotFound, not "no purchase order"
    status = None if args.received else PurchaseOrderStatus.ordered
    orders = await deps.erp.list_purchase_orders(part=args.part_id, status=status)
    return sorted((o for o in orders if parts is None or o.part in parts), key=lambda o: o.created_at, reverse=True)
