"""The material lots on hold in the MES: each with its material, why and since when, and who put it on hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors.genealogy import LotEventKind, LotStatus, MaterialLotRecord
from connectors.mes import MesClient
from connectors.settings import ConnectorSettings

__all__ = ["HeldLot", "held", "lots_on_hold"]


@dataclass(frozen=True)
class HeldLot:
    """A lot on hold: its id and material, the hold's reason, who asked for it and when (None: not recorded)."""

    lot: str
    material: str
    reason: str
    held_by: str
    held_at: datetime | None


def held(lots: list[MaterialLotRecord]) -> list[HeldLot]:
    """The lots of ``lots`` that are on hold, each with its latest hold, newest hold first."""
    found = []
    for record in lots:
        if not record.on_hold:
            continue
        hold = next((e for e in reversed(record.history) if e.event is LotEventKind.hold), None)
        found.append(HeldLot(record.id, record.material, record.reason, hold.by if hold else "",
                             hold.at if hold else None))
    return sorted(found, key=lambda h: (h.held_at is None, -(h.held_at.timestamp() if h.held_at else 0.0), h.lot))


async def lots_on_hold(connectors: ConnectorSettings) -> list[HeldLot]:
    """The lots on hold in the MES now."""
    async with MesClient.from_settings(connectors) as mes:
        return held(await mes.lots(status=LotStatus.on_hold))
