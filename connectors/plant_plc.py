"""The plant's PLCs as one client: each machine's reads and writes go to its own PLC's connector.

A machine names its PLC in the plant file (``plc:`` on the machine or its line, an entry of ``plcs:``);
a machine that names none is on the settings' PLC (``PLANT_HOST`` and ``PLANT_MODBUS_PORT``, or
``PLANT_OPCUA_ENDPOINT``) in the protocol the caller chose (``COPILOT_PLC_PROTOCOL``). Each PLC gets one
client from the registry, made on its first use and closed with this one: a dead PLC fails only the
reads and writes of its own machines.
"""

from __future__ import annotations

from pydantic import ValidationError

from connectors.errors import NotConfigured
from connectors.plant import Plant
from connectors.plc import PlcClient, ProtocolPlc, ServerRange, TagValue, Value, WriteResult
from connectors.plc_endpoints import Endpoint, ModbusEndpoint, OpcUaEndpoint, Protocol
from connectors.plc_registry import connector, protocol_named
from connectors.settings import ConnectorSettings

SETTINGS_PLC = "the settings' PLC"
"""The key of the PLC of machines that name none (no plant-file PLC can be called this: it has spaces)."""


def settings_endpoint(settings: ConnectorSettings, plant: Plant, protocol: Protocol) -> Endpoint:
    """The endpoint of the settings' PLC in ``protocol``."""
    if protocol is Protocol.mqtt:
        raise NotConfigured("the settings' PLC speaks opcua or modbus (COPILOT_PLC_PROTOCOL); a Sparkplug B edge "
                            "node is a PLC of the plant file's plcs: (protocol: mqtt, host, group, edge_node)")
    try:
        if protocol is Protocol.opcua:
            return OpcUaEndpoint(url=settings.opcua_url)
        return ModbusEndpoint(host=settings.host, port=settings.modbus_port, unit=plant.plant.modbus_unit)
    except ValidationError as exc:
        raise NotConfigured(f"the settings' {protocol} PLC: {exc.errors()[0]['msg']} "
                            "(PLANT_HOST, PLANT_MODBUS_PORT, PLANT_OPCUA_ENDPOINT)") from None


class PlantPlc(PlcClient):
    """Routes each machine to the client of its PLC; the guards and errors are that connector's own."""

    def __init__(self, settings: ConnectorSettings, plant: Plant, protocol: Protocol) -> None:
        super().__init__(settings, plant)
        self.protocol = protocol
        self._clients: dict[str, ProtocolPlc] = {}

    def endpoint_of(self, machine_id: str) -> Endpoint:
        """Where the machine's PLC is."""
        name = self.plant.plc_of(machine_id)
        return self.plant.plcs[name] if name is not None else settings_endpoint(self.settings, self.plant, self.protocol)

    def _client(self, machine_id: str) -> ProtocolPlc:
        name = self.plant.plc_of(machine_id) or SETTINGS_PLC
        if name not in self._clients:
            endpoint = self.endpoint_of(machine_id)
            self._clients[name] = connector(endpoint.protocol)(self.settings, self.plant, endpoint)
        return self._clients[name]

    async def read_many(self, machine_id: str, tags: list[str] | None = None) -> dict[str, TagValue]:
        return await self._client(machine_id).read_many(machine_id, tags)

    async def write(self, machine_id: str, tag: str, value: Value) -> WriteResult:
        return await self._client(machine_id).write(machine_id, tag, value)

    async def server_range(self, machine_id: str, tag: str) -> ServerRange | None:
        return await self._client(machine_id).server_range(machine_id, tag)

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


def open_plc(settings: ConnectorSettings, plant: Plant, protocol: Protocol | str) -> PlantPlc:
    """The plant's PLCs; ``protocol`` is the settings' PLC's, for machines that name none. Use it as
    ``async with``; each PLC connects on first use."""
    chosen = protocol_named(protocol)
    connector(chosen)  # an unknown or unregistered protocol is refused now, not at the first read
    return PlantPlc(settings, plant, chosen)
