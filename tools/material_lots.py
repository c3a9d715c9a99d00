"""material_lots: the material lots the MES holds, which are on hold and why, and what each machine runs now."""

from __future__ import annotations

from pydantic import BaseModel, Field

from connectors.genealogy import MaterialLotRecord
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class MaterialLotsArgs(ToolArgs):
    """All lots, only those on hold, or one lot."""

    lot: str | None = Field(default=None, max_length=32, description="one lot id, e.g. LOT-24-0907; omit for all")
    on_hold_only: bool = Field(default=False, description="only the lots on hold")


class LotsNow(BaseModel):
    """The MES's lots (with status and history) and the lot each machine runs now, machine id -> lot."""

    lots: list[MaterialLotRecord]
    loaded: dict[str, str] = {}

    def line(self) -> str:
        held = [r for r in self.lots if r.on_hold]
        told = f"{len(held)} of {len(self.lots)} material lots on hold"
        if self.lots:
            told += ": " + "; ".join(r.line() for r in (held or self.lots))
        running = ", ".join(f"{m} runs {lot}" for m, lot in self.loaded.items())
        return told + (f"; {running}" if running else "")


@tool(args=MaterialLotsArgs, risk=Risk.read, result=LotsNow, line=LotsNow.line, order=72, systems=(System.mes,))
async def material_lots(deps: Deps, args: MaterialLotsArgs, call: Call) -> LotsNow:
    """List the material lots in the MES: which are on hold and why, their material and history, and the lot each
    machine runs now."""
    if args.lot:
        lots = [await deps.mes.lot(args.lot)]
    else:
        lots = [r for r in await deps.mes.lots() if r.on_hold or not args.on_hold_only]
    loads = await deps.mes.material_lots(since_minutes=1)
    return LotsNow(lots=lots, loaded={x.machine_id: x.lot for x in loads})
