"""The MES's history endpoint as a historian: what the copilot read before a plant named one of its own."""

from __future__ import annotations

from connectors.historian.source import Samples
from connectors.mes import MesClient


class MesHistory:
    """``HistorySource`` over the MES connector's ``/history`` (its own checks and errors)."""

    def __init__(self, mes: MesClient) -> None:
        self.mes = mes

    @property
    def where(self) -> str:
        return f"the MES at {self.mes.base_url}"

    async def samples(self, machine_id: str, tag: str, window_minutes: float) -> Samples:
        return await self.mes.history(machine_id, tag, window_minutes)
