"""The Modbus TCP plugin: a device by host, port and unit id, a tag by its register; reads contiguous registers
in one request, ``plant check`` reads every machine whole and judges each number against its tag's limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.errors import ConnectorError
from connectors.plc.findings import Finding, Severity, implausible
from connectors.plc.modbus.schema import ModbusAddress, ModbusEndpoint
from connectors.plc.plugin import PlcPlugin

if TYPE_CHECKING:
    from connectors.plant import Plant, PlcEndpoint, ValueType
    from connectors.plc.client import ProtocolPlc
    from connectors.settings import ConnectorSettings

__all__ = ["PLUGIN", "ModbusAddress", "ModbusEndpoint", "ModbusPlugin"]

_HINT = "wrong word order or scale?"


class ModbusPlugin(PlcPlugin):
    """The Modbus TCP protocol: endpoints by host, port and unit; tags by table, register and type."""

    name = "modbus"
    endpoint = ModbusEndpoint
    address = ModbusAddress
    address_words = "a modbus address"

    def connector(self) -> type[ProtocolPlc]:
        from connectors.plc.modbus.client import ModbusPlc

        return ModbusPlc

    def declared_type(self, address: ModbusAddress) -> ValueType:
        return address.type

    def validate_plant(self, plant: Plant) -> None:
        """No two tags of one PLC share a coil or register (each PLC has its own)."""
        seen: dict[tuple[str | None, tuple[str, int]], str] = {}
        for tag in plant.all_tags():
            register: ModbusAddress | None = tag.address(self.name)
            plc = plant.plc_of(tag.machine_id)
            for i in range(register.count if register else 0):
                slot = (register.table, register.address + i)
                if (plc, slot) in seen:
                    raise ValueError(f"Modbus {slot} used by both {seen[plc, slot]} and {tag.key}")
                seen[plc, slot] = tag.key

    async def check(self, settings: ConnectorSettings, plant: Plant, endpoint: PlcEndpoint,
                    machines: list[str]) -> list[Finding]:
        """Each machine read whole: one that does not answer is a problem; a number that is NaN, infinite, denormal or
        outside its tag's limits is a note, as a value in the wrong word order or scale reads."""
        findings: list[Finding] = []
        async with self.connector()(settings, plant, endpoint) as plc:
            for machine in machines:
                try:
                    values = await plc.read_many(machine)
                except ConnectorError as exc:
                    findings.append(Finding(machine, Severity.problem, str(exc)))
                    continue
                judged = (implausible(plant.tag(machine, name), read.value, _HINT) for name, read in values.items())
                findings += [finding for finding in judged if finding is not None]
        return findings

    def settings_endpoint(self, settings: ConnectorSettings, plant: Plant) -> ModbusEndpoint:
        return ModbusEndpoint(host=settings.host, port=settings.modbus_port, unit=plant.plant.modbus_unit)


PLUGIN = ModbusPlugin()
