"""What a PLC protocol plugin is: one folder under ``connectors/plc/`` (or an installed package) behind one interface.

A plugin names its protocol, says what a plant file writes for one of its PLCs (the endpoint model, a
``protocol: NAME`` entry of ``plcs:``) and for one tag (the address type, under the tag's key ``NAME``), and
hands out its client and its check on first use, so that loading a plant file imports no protocol stack.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import TypeAdapter

from connectors.errors import ConnectorError, NotConfigured
from connectors.plant import PlcEndpoint, ValueType
from connectors.plc.findings import Finding, Severity

if TYPE_CHECKING:
    from connectors.plant import Plant
    from connectors.plc.client import ProtocolPlc
    from connectors.settings import ConnectorSettings


class PlcPlugin(ABC):
    """One PLC protocol: its name, its plant-file models, its client and its check."""

    name: ClassVar[str]
    """The protocol's name: a PLC's ``protocol:`` and the key of a tag's address in the plant file."""
    endpoint: ClassVar[type[PlcEndpoint]]
    """Where one PLC of this protocol is (a ``Literal[name]`` field ``protocol`` tells it apart)."""
    address: ClassVar[Any]
    """The type of a tag's address in this protocol (a node id, a register, a metric name): pydantic validates it."""
    address_words: ClassVar[str]
    """The address in words, for messages: "a modbus address"."""

    @abstractmethod
    def connector(self) -> type[ProtocolPlc]:
        """The client class of one PLC of this protocol (imported now, not when the plugin is found)."""

    @cached_property
    def _endpoints(self) -> TypeAdapter[dict[str, PlcEndpoint]]:
        return TypeAdapter(dict[str, self.endpoint])

    @cached_property
    def _addresses(self) -> TypeAdapter[dict[str, Any]]:
        return TypeAdapter(dict[str, self.address])

    def validate_endpoint(self, raw: object) -> PlcEndpoint:
        """One PLC of the plant file's ``plcs:``, validated; a ValidationError locates its fields under the name."""
        return self._endpoints.validate_python({self.name: raw})[self.name]

    def validate_address(self, raw: object) -> Any:
        """A tag's address in this protocol, validated; a ValidationError locates its fields under the name."""
        return self._addresses.validate_python({self.name: raw})[self.name]

    def declared_type(self, address: Any) -> ValueType | None:
        """The value type the address itself declares (a Modbus register's), or None."""
        return None

    def validate_plant(self, plant: Plant) -> None:
        """Refuse, with a ValueError, a plant file whose addresses in this protocol clash (shared registers)."""

    def settings_endpoint(self, settings: ConnectorSettings, plant: Plant) -> PlcEndpoint:
        """The endpoint of the settings' PLC (for machines that name none), when this protocol has one there."""
        needed = ", ".join(f for f, info in self.endpoint.model_fields.items() if info.is_required())
        raise NotConfigured(f"the settings' PLC does not speak {self.name} (COPILOT_PLC_PROTOCOL): a PLC of protocol "
                            f"{self.name} is one of the plant file's plcs: (protocol: {self.name}, {needed})")

    async def check(self, settings: ConnectorSettings, plant: Plant, endpoint: PlcEndpoint,
                    machines: list[str]) -> list[Finding]:
        """What of the plant file disagrees with the live PLC, for ``machines``; by default each is read whole."""
        findings: list[Finding] = []
        async with self.connector()(settings, plant, endpoint) as plc:
            for machine in machines:
                try:
                    await plc.read_many(machine)
                except ConnectorError as exc:
                    findings.append(Finding(machine, Severity.problem, str(exc)))
        return findings
