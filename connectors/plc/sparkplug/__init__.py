"""The MQTT Sparkplug B plugin (protocol ``mqtt``): an edge node on a broker, a machine is a device of it, a tag
one of its metrics; ``plant check`` compares the metrics with the births."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.plc.findings import Finding
from connectors.plc.plugin import PlcPlugin
from connectors.plc.sparkplug.schema import MetricName, MqttEndpoint, UnlockedBroker

if TYPE_CHECKING:
    from connectors.plant import Plant, PlcEndpoint
    from connectors.plc.client import ProtocolPlc
    from connectors.settings import ConnectorSettings

__all__ = ["PLUGIN", "MqttEndpoint", "SparkplugPlugin", "UnlockedBroker"]


class SparkplugPlugin(PlcPlugin):
    """The MQTT protocol (Sparkplug B): endpoints by broker, group and edge node; tags by metric name."""

    name = "mqtt"
    endpoint = MqttEndpoint
    address = MetricName
    address_words = "an mqtt metric name"

    def connector(self) -> type[ProtocolPlc]:
        from connectors.plc.sparkplug.client import MqttPlc

        return MqttPlc

    async def check(self, settings: ConnectorSettings, plant: Plant, endpoint: PlcEndpoint,
                    machines: list[str]) -> list[Finding]:
        from connectors.plc.sparkplug.check import check_births

        async with self.connector()(settings, plant, endpoint) as plc:
            return await check_births(plc, plant, machines)


PLUGIN = SparkplugPlugin()
