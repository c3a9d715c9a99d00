"""inventory: spare parts in stock against their reorder points, from the ERP."""

from __future__ import annotations

from pydantic import Field

from connectors.records import SparePart
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class InventoryArgs(ToolArgs):
    """Which spare parts to list: one part, a machine's bill of materials, or those below reorder."""

    part_id: str | None = Field(default=None, description="part number, e.g. BRG-6205; omit to list parts")
    machine_id: str | None = Field(default=None, description="only the parts in this machine's bill of materials")
    below_reorder: bool = Field(default=False, description="only parts at or below their reorder point")


def _part(p: SparePart) -> str:
    offers = ", ".join(f"{o.supplier} {o.price:.2f} / {o.lead_time_days} d / {o.carbon_kg:g} kg CO2e" for o in p.offers)
    on_order = f", {p.on_order} on order" if p.on_order else ""
    return (f"{p.id} ({p.name}): {p.stock} {p.unit} in stock{on_order}, reorder point {p.reorder_point}, "
            f"reorder quantity {p.reorder_qty}" + (f"; offers: {offers}" if offers else ""))


def _line(stock: SparePart | list[SparePart]) -> str:
    parts = stock if isinstance(stock, list) else [stock]
    return "; ".join(_part(p) for p in parts) if parts else "no such part"


@tool(args=InventoryArgs, risk=Risk.read, result=SparePart | list[SparePart], line=_line, order=50,
      systems=(System.erp,))
async def inventory(deps: Deps, args: InventoryArgs, call: Call):
    """Stock of spare parts from the ERP: quantity on hand, reorder point and quantity, and the suppliers'
    offers (price, lead time, carbon). Give a part number, a machine, or ask for parts below reorder point."""
    if args.part_id:
        return await deps.erp.get_part(args.part_id)
    if args.machine_id:
        deps.plant.machine(args.machine_id)
    return await deps.erp.list_parts(machine_id=args.machine_id, below_reorder=args.below_reorder)
