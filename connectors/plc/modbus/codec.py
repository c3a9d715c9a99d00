"""Engineering values ⇄ Modbus registers, per the plant file's tag description. Pure; shared by the
simulator's server and the connector.

Conventions: big-endian bytes and big-endian word order (the high word first) for 32-bit
types; integer types carry ``raw = round(value * scale)``; strings are ASCII, two
characters a register, padded with NULs to the tag's length.
"""

from __future__ import annotations

import struct

from connectors.errors import InvalidRequest
from connectors.plant import Tag
from connectors.plc.modbus.schema import ModbusType, register_of

Value = float | int | bool | str

_INT_RANGE = {ModbusType.uint16: (0, 0xFFFF), ModbusType.int16: (-0x8000, 0x7FFF), ModbusType.uint32: (0, 0xFFFFFFFF)}


def encode(tag: Tag, value: Value) -> list[int] | list[bool]:
    """The registers (or one bit) that hold ``value`` for ``tag``; InvalidRequest when it does not fit."""
    register = register_of(tag)
    kind = register.type
    if kind is ModbusType.bool:
        return [bool(value)]
    if kind is ModbusType.string:
        data = str(value).encode("ascii", errors="replace")
        size = 2 * register.count
        if len(data) > size:
            raise InvalidRequest(f"text for {tag.key} is longer than {size} characters")
        data = data.ljust(size, b"\0")
        return list(struct.unpack(f">{register.count}H", data))
    if isinstance(value, str) or value is None:
        raise InvalidRequest(f"{tag.key} takes a number, not {value!r}")
    if kind is ModbusType.float32:
        return list(struct.unpack(">2H", struct.pack(">f", float(value))))
    raw = round(float(value) * register.scale)
    low, high = _INT_RANGE[kind]
    if not low <= raw <= high:
        raise InvalidRequest(f"{value} does not fit {tag.key} ({kind}, scale {register.scale:g})")
    if kind is ModbusType.uint32:
        return [raw >> 16, raw & 0xFFFF]
    return [raw & 0xFFFF]


def decode(tag: Tag, registers: list[int] | list[bool]) -> Value:
    """The engineering value held in ``registers`` (exactly the tag's register count of them)."""
    register = register_of(tag)
    kind = register.type
    if kind is ModbusType.bool:
        return bool(registers[0])
    if kind is ModbusType.string:
        return struct.pack(f">{len(registers)}H", *registers).rstrip(b"\0").decode("ascii", errors="replace")
    if kind is ModbusType.float32:
        return struct.unpack(">f", struct.pack(">2H", *registers))[0]
    if kind is ModbusType.uint32:
        raw = (registers[0] << 16) | registers[1]
    elif kind is ModbusType.int16:
        raw = registers[0] - 0x10000 if registers[0] & 0x8000 else registers[0]
    else:
        raw = registers[0]
    return raw / register.scale if register.scale != 1 else raw
