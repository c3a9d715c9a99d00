"""hold_lot: put a material lot on hold in the MES, so that it is issued to no machine until released."""

from __future__ import annotations

from pydantic import Field

from connectors.genealogy import LotHold, LotStatus, MaterialLotRecord
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lot_facts import status_change


class HoldLotArgs(ToolArgs):
    """The lot to hold and why (the finding that makes it suspect)."""

    lot: str = Field(min_length=1, max_length=32, description="material lot id, e.g. LOT-24-0907")
    reason: str = Field(min_length=3, max_length=500, description="why the lot is suspect")


@tool(args=HoldLotArgs, risk=Risk.write, result=MaterialLotRecord, line=MaterialLotRecord.line, order=125,
      facts=status_change(LotStatus.on_hold, "on hold"), systems=(System.mes,))
async def hold_lot(deps: Deps, args: HoldLotArgs, call: Call) -> MaterialLotRecord:
    """Put a material lot on hold with a reason: the MES then issues it to no machine until quality releases it.
    Use it for a lot suspected of making defects."""
    hold = LotHold(reason=args.reason, requested_by=call.requester)
    return await deps.mes.hold_lot(args.lot, hold, idempotency_key=call.idempotency_key)
