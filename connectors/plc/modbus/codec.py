"""Engineering values ⇄ Modbus registers, per the plant file's tag description. Pure; shared by the
simulator's server and the connector.

Conventions: a 32-bit value's four bytes lie in its two registers in the tag's (else its device's) order,
ABCD (big-endian, the default) unless the plant file says CDAB, BADC or DCBA; integer types carry
``raw = round(value * scale)``; strings are ASCII, two characters a register (swapped within it in the orders
BADC and DCBA), padded to the tag's length with NULs or spaces that a read strips.
"""

from __future__ import annotations

import struct

from connectors.errors import InvalidRequest
from connectors.plant import Tag
from connectors.plc.modbus.schema import ModbusEndpoint, ModbusType, Order, register_of

Value = float | int | bool | str

_INT_RANGE = {ModbusType.uint16: (0, 0xFFFF), ModbusType.int16: (-0x8000, 0x7FFF), ModbusType.uint32: (0, 0xFFFFFFFF),
              ModbusType.int32: (-0x80000000, 0x7FFFFFFF)}
_FORMAT = {ModbusType.uint16: ">H", ModbusType.int16: ">h", ModbusType.uint32: ">I", ModbusType.int32: ">i",
           ModbusType.float32: ">f"}


def _swap_bytes(words: list[int]) -> list[int]:
    return [((w & 0xFF) << 8) | (w >> 8) for w in words]


def to_registers(data: bytes, order: Order, *, text: bool = False) -> list[int]:
    """Big-endian ``data`` as the registers a device with ``order`` holds it in (text: bytes swapped, never words)."""
    words = list(struct.unpack(f">{len(data) // 2}H", data))
    if order.swaps_bytes:
        words = _swap_bytes(words)
    return words[::-1] if order.swaps_words and not text else words


def from_registers(registers: list[int], order: Order, *, text: bool = False) -> bytes:
    """The big-endian bytes that ``registers``, held in ``order``, stand for; the inverse of ``to_registers``."""
    words = list(registers[::-1] if order.swaps_words and not text else registers)
    if order.swaps_bytes:
        words = _swap_bytes(words)
    return struct.pack(f">{len(words)}H", *words)


def encode(tag: Tag, value: Value, device: ModbusEndpoint | None = None) -> list[int] | list[bool]:
    """The registers (or one bit) that hold ``value`` for ``tag`` on ``device`` (None: ABCD, NUL-padded);
    InvalidRequest when it does not fit."""
    register = register_of(tag)
    kind, layout = register.type, register.layout(device)
    if kind is ModbusType.bool:
        return [bool(value)]
    if kind is ModbusType.string:
        data = str(value).encode("ascii", errors="replace")
        size = 2 * register.count
        if len(data) > size:
            raise InvalidRequest(f"text for {tag.key} is longer than {size} characters")
        return to_registers(data.ljust(size, layout.padding.byte), layout.order, text=True)
    if isinstance(value, str) or value is None:
        raise InvalidRequest(f"{tag.key} takes a number, not {value!r}")
    if kind is ModbusType.float32:
        return to_registers(struct.pack(">f", float(value)), layout.order)
    raw = round(float(value) * register.scale)
    low, high = _INT_RANGE[kind]
    if not low <= raw <= high:
        raise InvalidRequest(f"{value} does not fit {tag.key} ({kind}, scale {register.scale:g})")
    return to_registers(struct.pack(_FORMAT[kind], raw), layout.order)


def decode(tag: Tag, registers: list[int] | list[bool], device: ModbusEndpoint | None = None) -> Value:
    """The engineering value held in ``registers`` (exactly the tag's register count of them) on ``device``."""
    register = register_of(tag)
    kind, layout = register.type, register.layout(device)
    if kind is ModbusType.bool:
        return bool(registers[0])
    data = from_registers(list(registers), layout.order, text=kind is ModbusType.string)
    if kind is ModbusType.string:
        return data.rstrip(b"\0" + layout.padding.byte).decode("ascii", errors="replace")
    (raw,) = struct.unpack(_FORMAT[kind], data)
    if kind is ModbusType.float32:
        return raw
    return raw / register.scale if register.scale != 1 else raw
