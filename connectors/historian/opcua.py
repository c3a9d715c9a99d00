"""An OPC UA server's Historical Access as a historian: HistoryRead of each tag's node."""

from __future__ import annotations

from connectors.historian.source import Samples, numeric_tag
from connectors.plant import Plant
from connectors.plc.opcua.client import OpcUaPlc
from connectors.plc.opcua.schema import OpcUaEndpoint
from connectors.settings import ConnectorSettings


class OpcUaHistory:
    """``HistorySource`` by HistoryRead on one OPC UA server (its session, security and errors are the PLC
    connector's)."""

    def __init__(self, settings: ConnectorSettings, plant: Plant, url: str) -> None:
        self.plant = plant
        self._server = OpcUaPlc(settings, plant, OpcUaEndpoint(url=url))

    @property
    def where(self) -> str:
        return f"OPC UA HistoryRead at {self._server.endpoint.url}"

    async def samples(self, machine_id: str, tag: str, window_minutes: float) -> Samples:
        spec = numeric_tag(self.plant, machine_id, tag, window_minutes)
        return await self._server.history(spec.machine_id, spec.name, window_minutes * 60.0)

    async def close(self) -> None:
        await self._server.close()
