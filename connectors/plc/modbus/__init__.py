"""The Modbus TCP plugin: a device by host, port and unit id, a tag by its register; reads contiguous registers
in one request, ``plant check`` reads every machine whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.plc.modbus.schema import ModbusAddress, ModbusEndpoint
from connectors.plc.plugin import PlcPlugin

if TYPE_CHECKING:
    from connectors.plant import Plant, ValueType
    from connectors.plc.client import ProtocolPlc
    from connectors.settings import ConnectorSettings

__all__ = ["PLUGIN", "ModbusAddress", "ModbusEndpoint", "ModbusPlugin"]


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

    def settings_endpoint(self, settings: ConnectorSettings, plant: Plant) -> ModbusEndpoint:
        return ModbusEndpoint(host=settings.host, port=settings.modbus_port, unit=plant.plant.modbus_unit)


PLUGIN = ModbusPlugin()
