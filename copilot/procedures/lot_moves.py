"""What a material lot found first among a line's causes calls for, decided by code: the suspect lot put on hold
(unless the MES holds it already or does not know it), and the machine switched back to the lot it ran before when
the MES has that lot of the same material available, else to another available lot of that material; when there is
none, the answer says so."""

from __future__ import annotations

from pydantic import BaseModel

from connectors.genealogy import MaterialLotRecord
from copilot.quality.root_cause import Cause


class LotHoldDraft(BaseModel):
    """The lot the correction puts on hold, and why."""

    lot: str
    reason: str


class LotIssueDraft(BaseModel):
    """The lot the correction issues to the machine in place of the suspect one."""

    machine_id: str
    lot: str


class LotMoves(BaseModel):
    """The hold and the switch a suspect lot calls for (either may be none), and what the answer tells of them."""

    hold: LotHoldDraft | None = None
    issue: LotIssueDraft | None = None
    told: list[str] = []


def _replacement(suspect: MaterialLotRecord, before: str, lots: list[MaterialLotRecord]) -> MaterialLotRecord | None:
    """The lot the machine ran before when it is available and of the suspect's material, else the newest other
    available lot of that material; None when there is none."""
    usable = [r for r in lots if r.material == suspect.material and r.id != suspect.id and not r.on_hold]
    previous = next((r for r in usable if r.id == before.strip().upper()), None)
    return previous or max(usable, key=lambda r: r.id, default=None)


def lot_moves(cause: Cause, lots: list[MaterialLotRecord]) -> LotMoves:
    """The hold of the lot the cause loaded (``cause.now``) and the switch away from it, over the MES's lots."""
    now, before = str(cause.now), str(cause.before)
    suspect = next((r for r in lots if r.id == now.strip().upper()), None)
    if suspect is None:
        return LotMoves(told=[f"material lot {now} is not in the MES's lots: it cannot be put on hold there"])
    told = []
    hold = None
    if suspect.on_hold:
        told.append(f"material lot {suspect.id} is already on hold ({suspect.reason})")
    else:
        hold = LotHoldDraft(lot=suspect.id, reason=f"suspected of {cause.machine_id}'s defects: {cause.said}"[:500])
        told.append(f"material lot {suspect.id} on hold")
    other = _replacement(suspect, before, lots)
    if other is None:
        told.append(f"no other lot of {suspect.material} is available in the MES to switch {cause.machine_id} to")
        return LotMoves(hold=hold, told=told)
    which = "back to the lot it ran before" if other.id == before.strip().upper() else "another lot of the material"
    told.append(f"{cause.machine_id} switched to material lot {other.id} ({which})")
    return LotMoves(hold=hold, issue=LotIssueDraft(machine_id=cause.machine_id, lot=other.id), told=told)
