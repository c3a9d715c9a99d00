"""What a plant file says of MQTT with Sparkplug B: an edge node by its broker, group and id (``plcs:``,
``protocol: mqtt``), a tag by its metric name (``mqtt: Motor/speed``; its device is the machine's id)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, field_validator

from connectors.plant import PlcEndpoint

MetricName = Annotated[str, Field(min_length=1)]
"""A tag's Sparkplug B metric name (``Motor/speed``)."""


class UnlockedBroker(StrEnum):
    """What the copilot does on a broker that is not locked (TLS and a user with a password): anyone who reaches
    such a broker can publish readings and commands as the edge node or as the copilot."""

    refuse = "refuse"  # no connection at all (the default)
    read_only = "read_only"  # readings are read; every write is refused
    allow = "allow"  # reads and writes (a lab or a demo, never a plant)


class MqttEndpoint(PlcEndpoint):
    """A Sparkplug B edge node: its broker, its group and its own id; each machine is a device of it (its id).
    The broker's user and password are the settings' (PLANT_MQTT_USERNAME, PLANT_MQTT_PASSWORD); without both
    and ``tls``, ``unlocked_broker`` says whether to connect at all, or to read only."""

    protocol: Literal["mqtt"] = "mqtt"
    host: str = Field(min_length=1)
    port: int = Field(default=1883, ge=1, le=65535)
    tls: bool = False
    group: str = Field(min_length=1)
    edge_node: str = Field(min_length=1)
    unlocked_broker: UnlockedBroker = UnlockedBroker.refuse

    @field_validator("group", "edge_node")
    @classmethod
    def _topic_level(cls, value: str) -> str:
        if any(c in value for c in "/+#"):
            raise ValueError(f"{value!r} cannot be a Sparkplug B topic level (no '/', '+' or '#')")
        return value

    @property
    def where(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port} spBv1.0/{self.group}/{self.edge_node}"
