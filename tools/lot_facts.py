"""What an approver sees of a material lot in the MES (hold_lot, release_lot, issue_lot): its status and material,
and a change of its status with the reason given."""

from __future__ import annotations

from typing import Protocol

from connectors.genealogy import LotStatus, MaterialLotRecord
from tools.base import ActionFacts, Facts
from tools.deps import Deps


class LotWithReason(Protocol):
    """A tool's arguments that name a lot and say why its status changes."""

    lot: str
    reason: str


def lot_extra(lot: MaterialLotRecord) -> dict[str, str]:
    """The lot's facts a policy rule judges: its status (``lot_status``) and its material."""
    return {"lot_status": lot.status.value, "material": lot.material}


def status_change(to: LotStatus, told: str) -> Facts:
    """The facts of putting the arguments' lot in status ``to`` (``told`` is how the change line says it)."""

    async def facts(deps: Deps, args: LotWithReason) -> ActionFacts:
        lot = await deps.mes.lot(args.lot)
        return ActionFacts(old_value=lot.status.value, new_value=to.value,
                           change=f"material lot {lot.id} ({lot.material}) {lot.status.value} → {told}: {args.reason}",
                           extra=lot_extra(lot))

    return facts
