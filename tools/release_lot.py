"""release_lot: release a material lot from hold in the MES, so that it may be issued to machines again."""

from __future__ import annotations

from pydantic import Field

from connectors.genealogy import LotRelease, LotStatus, MaterialLotRecord
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lot_facts import status_change


class ReleaseLotArgs(ToolArgs):
    """The held lot to release and why it may be used again."""

    lot: str = Field(min_length=1, max_length=32, description="material lot id, e.g. LOT-24-0907")
    reason: str = Field(min_length=3, max_length=500, description="why the lot may be used again")


@tool(args=ReleaseLotArgs, risk=Risk.write, result=MaterialLotRecord, line=MaterialLotRecord.line, order=126,
      facts=status_change(LotStatus.available, "released"), systems=(System.mes,))
async def release_lot(deps: Deps, args: ReleaseLotArgs, call: Call) -> MaterialLotRecord:
    """Release a material lot from hold with a reason (e.g. the lab found it in spec): the MES may issue it to
    machines again."""
    release = LotRelease(reason=args.reason, requested_by=call.requester)
    return await deps.mes.release_lot(args.lot, release, idempotency_key=call.idempotency_key)
