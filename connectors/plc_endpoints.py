"""Where a PLC is and which protocol it speaks: the ``plcs:`` section of a plant file, as data.

Each protocol names its endpoint its own way — an OPC UA server by its URL, a Modbus TCP device by host,
port and unit id, a Sparkplug B edge node by its MQTT broker, group and edge node id — so an endpoint is one
of three models, told apart by ``protocol``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

OPCUA_SCHEME = "opc.tcp://"


class Protocol(StrEnum):
    """A PLC protocol the copilot speaks; each has its connector in the registry (connectors/plc_registry.py)."""

    opcua = "opcua"
    modbus = "modbus"
    mqtt = "mqtt"


class _Endpoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpcUaEndpoint(_Endpoint):
    protocol: Literal[Protocol.opcua] = Protocol.opcua
    url: str

    @field_validator("url")
    @classmethod
    def _opc_tcp(cls, url: str) -> str:
        if not url.startswith(OPCUA_SCHEME) or len(url) == len(OPCUA_SCHEME):
            raise ValueError(f"an OPC UA endpoint is an {OPCUA_SCHEME}HOST:PORT/... URL, not {url!r}")
        return url

    @property
    def where(self) -> str:
        return self.url


class ModbusEndpoint(_Endpoint):
    protocol: Literal[Protocol.modbus] = Protocol.modbus
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)
    unit: int = Field(default=1, ge=0, le=247)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port} unit {self.unit}"


class MqttEndpoint(_Endpoint):
    """A Sparkplug B edge node: its broker, its group and its own id; each machine is a device of it (its id).
    The broker's user and password are the settings' (PLANT_MQTT_USERNAME, PLANT_MQTT_PASSWORD)."""

    protocol: Literal[Protocol.mqtt] = Protocol.mqtt
    host: str = Field(min_length=1)
    port: int = Field(default=1883, ge=1, le=65535)
    tls: bool = False
    group: str = Field(min_length=1)
    edge_node: str = Field(min_length=1)

    @field_validator("group", "edge_node")
    @classmethod
    def _topic_level(cls, value: str) -> str:
        if any(c in value for c in "/+#"):
            raise ValueError(f"{value!r} cannot be a Sparkplug B topic level (no '/', '+' or '#')")
        return value

    @property
    def where(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port} spBv1.0/{self.group}/{self.edge_node}"


Endpoint = OpcUaEndpoint | ModbusEndpoint | MqttEndpoint


def _protocol_of(endpoint: Any) -> str | None:
    return endpoint.get("protocol") if isinstance(endpoint, dict) else getattr(endpoint, "protocol", None)


PlcEndpoint = Annotated[
    Annotated[OpcUaEndpoint, Tag(Protocol.opcua)] | Annotated[ModbusEndpoint, Tag(Protocol.modbus)]
    | Annotated[MqttEndpoint, Tag(Protocol.mqtt)],
    Discriminator(_protocol_of, custom_error_type="plc_protocol",
                  custom_error_message=f"protocol must be one of: {', '.join(Protocol)}"),
]
"""One PLC of the plant file's ``plcs:``, by its ``protocol``."""
