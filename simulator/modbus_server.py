"""The simulated plant's PLCs as a real Modbus TCP server (pymodbus), with the plant file's register map.

Each request passes through one hook that brings the addressed registers up to date
from the simulation (a read) or hands the written values to it (a write), so the
server never serves stale values. A machine whose PLC is offline answers with the
gateway exception 0x0B, as a real gateway in front of a dead PLC does.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from connectors.errors import ConnectorError
from connectors.plant import Plant, Tag
from connectors.plc.modbus.codec import decode, encode
from simulator.physics import PlantSimulation

_TABLE_OF_FUNCTION = {1: "coil", 5: "coil", 15: "coil", 2: "discrete_input", 3: "holding_register",
                      6: "holding_register", 16: "holding_register", 4: "input_register"}
_BIT_TABLES = ("coil", "discrete_input")


def _address_map(plant: Plant) -> dict[str, dict[int, Tag]]:
    """table → address → the tag occupying it (every register of a multi-register tag)."""
    index: dict[str, dict[int, Tag]] = {t: {} for t in _TABLE_OF_FUNCTION.values()}
    for tag in plant.all_tags():
        for i in range(tag.modbus.count):
            index[tag.modbus.table][tag.modbus.address + i] = tag
    return index


class _Bridge:
    """The hook pymodbus calls on every access: the simulation is the source of truth."""

    def __init__(self, sim: PlantSimulation, plant: Plant) -> None:
        self._sim = sim
        self._map = _address_map(plant)

    def _tags(self, table: str, address: int, count: int) -> list[Tag] | None:
        """The tags the range touches, in order; None when an address holds no tag."""
        found: list[Tag] = []
        for a in range(address, address + count):
            tag = self._map[table].get(a)
            if tag is None:
                return None
            if not found or found[-1] is not tag:
                found.append(tag)
        return found

    async def handle(self, function_code: int, start_address: int, address: int, count: int,
                     registers: list[int], set_values: list[int] | list[bool] | None) -> ExcCodes | None:
        table = _TABLE_OF_FUNCTION.get(function_code)
        if table is None:
            return ExcCodes.ILLEGAL_FUNCTION
        if table in _BIT_TABLES:
            # pymodbus passes bit requests as the 16-bit words they touch: refresh every bit tag in them
            touched = [t for a, t in self._map[table].items() if start_address + address // 16 <= a // 16
                       < start_address + address // 16 + count]
            if set_values is not None:
                tags = self._tags(table, address, len(set_values))
            else:
                tags = touched
        else:
            tags = touched = self._tags(table, address, count)
        if tags is None or not touched:
            return ExcCodes.ILLEGAL_ADDRESS
        if any(self._sim.is_offline(t.machine_id) for t in tags):
            return ExcCodes.GATEWAY_NO_RESPONSE
        if set_values is not None:
            return self._write(address, tags, set_values)
        for tag in tags:
            self._put(table, tag, encode(tag, self._sim.read(tag.machine_id, tag.name)), start_address, registers)
        return None

    def _write(self, address: int, tags: list[Tag], values: list[int] | list[bool]) -> ExcCodes | None:
        first, last = tags[0], tags[-1]
        if first.modbus.address != address or last.modbus.address + last.modbus.count != address + len(values):
            return ExcCodes.ILLEGAL_ADDRESS  # a write must cover whole tags
        if not all(t.writable for t in tags):
            return ExcCodes.ILLEGAL_ADDRESS
        try:
            for tag in tags:
                offset = tag.modbus.address - address
                self._sim.write(tag.machine_id, tag.name, decode(tag, list(values[offset:offset + tag.modbus.count])))
        except ConnectorError:
            return ExcCodes.ILLEGAL_VALUE
        return None

    @staticmethod
    def _put(table: str, tag: Tag, encoded: list, start: int, registers: list[int]) -> None:
        if table in _BIT_TABLES:
            word, bit = divmod(tag.modbus.address, 16)
            mask = 1 << bit
            word_at = word - start
            registers[word_at] = (registers[word_at] | mask) if encoded[0] else (registers[word_at] & ~mask)
            return
        at = tag.modbus.address - start
        registers[at:at + len(encoded)] = encoded


@dataclass
class ModbusServerHandle:
    """The running Modbus TCP server and its task; ``stop`` shuts both down."""

    server: ModbusTcpServer
    task: asyncio.Task

    async def stop(self) -> None:
        await self.server.shutdown()
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def _device(plant: Plant, sim: PlantSimulation) -> SimDevice:
    tables = _address_map(plant)
    size = {t: max(tables[t], default=0) + 1 for t in tables}
    bits = lambda t: [SimData(0, count=(size[t] // 16 + 1) * 16, values=False, datatype=DataType.BITS)]  # noqa: E731
    regs = lambda t: [SimData(0, count=size[t], values=0, datatype=DataType.REGISTERS)]  # noqa: E731
    return SimDevice(
        id=plant.plant.modbus_unit,
        simdata=(bits("coil"), bits("discrete_input"), regs("holding_register"), regs("input_register")),
        use_bit_addressing=True,
        action=_Bridge(sim, plant).handle,
    )


async def start_modbus_server(sim: PlantSimulation, plant: Plant, host: str, port: int) -> ModbusServerHandle:
    """Serve the plant's register map on ``host:port`` until ``stop()``."""
    server = ModbusTcpServer(_device(plant, sim), address=(host, port))
    task = asyncio.create_task(server.serve_forever())
    await asyncio.sleep(0)  # let it bind before the caller announces the port
    return ModbusServerHandle(server, task)
