"""The OPC UA plugin: a server by its URL, a tag by its node id; sessions with security, pinned certificates,
EURange-guarded writes, ``plant check`` node by node and ``plant import`` from the address space."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.plc.findings import Finding
from connectors.plc.opcua.schema import OPCUA_SCHEME, NodeIdText, OpcUaEndpoint
from connectors.plc.plugin import PlcPlugin

if TYPE_CHECKING:
    from connectors.plant import Plant, PlcEndpoint
    from connectors.plc.client import ProtocolPlc
    from connectors.settings import ConnectorSettings

__all__ = ["OPCUA_SCHEME", "PLUGIN", "OpcUaEndpoint", "OpcUaPlugin"]


class OpcUaPlugin(PlcPlugin):
    """The OPC UA protocol: endpoints by ``opc.tcp://`` URL, tags by node id."""

    name = "opcua"
    endpoint = OpcUaEndpoint
    address = NodeIdText
    address_words = "an opcua node id"

    def connector(self) -> type[ProtocolPlc]:
        from connectors.plc.opcua.client import OpcUaPlc

        return OpcUaPlc

    def settings_endpoint(self, settings: ConnectorSettings, plant: Plant) -> OpcUaEndpoint:
        return OpcUaEndpoint(url=settings.opcua_url)

    async def check(self, settings: ConnectorSettings, plant: Plant, endpoint: PlcEndpoint,
                    machines: list[str]) -> list[Finding]:
        """Node by node: data types, access, EURange and units (``connectors.plc.opcua.check``)."""
        from connectors.plc.opcua.check import check_plant
        from connectors.plc.opcua.session import close_quietly, open_session

        client = await open_session(settings, endpoint.url, endpoint.security)
        try:
            return await check_plant(client, plant, set(machines))
        finally:
            await close_quietly(client)


PLUGIN = OpcUaPlugin()
