"""What a plant file says of Modbus TCP: a device by host, port and unit id (``plcs:``), a tag by its register
(``modbus: {table, address, type, scale, length, order, padding}``), which also declares the tag's value type.

A device's ``order`` and ``padding`` are the defaults of its tags; a tag's own override them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.plant import PlcEndpoint, Tag

ModbusTable = Literal["coil", "discrete_input", "input_register", "holding_register"]


class ModbusType(StrEnum):
    """How a value is laid out in coils or registers."""

    bool = "bool"
    uint16 = "uint16"
    int16 = "int16"
    uint32 = "uint32"
    int32 = "int32"
    float32 = "float32"
    string = "string"


class Order(StrEnum):
    """Where the bytes A B C D of a 32-bit value (A the most significant) lie in its two registers; for text, only
    whether each register's two characters are swapped (BADC, DCBA) or not (ABCD, CDAB)."""

    ABCD = "ABCD"
    """Big-endian: the high word first, each word high byte first (the Modbus convention)."""
    CDAB = "CDAB"
    """Word swap: the low word first."""
    BADC = "BADC"
    """Byte swap: the high word first, each word low byte first."""
    DCBA = "DCBA"
    """Little-endian: the low word first, each word low byte first."""

    @property
    def swaps_words(self) -> bool:
        return self in (Order.CDAB, Order.DCBA)

    @property
    def swaps_bytes(self) -> bool:
        return self in (Order.BADC, Order.DCBA)


class Padding(StrEnum):
    """What fills a string's registers after its text: stripped on read, added on write."""

    nul = "nul"
    space = "space"

    @property
    def byte(self) -> bytes:
        return b"\0" if self is Padding.nul else b" "


class WriteFunction(IntEnum):
    """The Modbus function that writes a one-register value; a value of two or more registers always takes 16."""

    single = 6
    """Write Single Register (06)."""
    multiple = 16
    """Write Multiple Registers (16), with one register."""


_REGISTER_COUNT = {ModbusType.bool: 1, ModbusType.uint16: 1, ModbusType.int16: 1, ModbusType.uint32: 2,
                   ModbusType.int32: 2, ModbusType.float32: 2}
_ORDERED = (ModbusType.uint32, ModbusType.int32, ModbusType.float32, ModbusType.string)


class ModbusEndpoint(PlcEndpoint):
    """A Modbus TCP server: host, port and unit id; its tags' default order and padding; its register write."""

    protocol: Literal["modbus"] = "modbus"
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)
    unit: int = Field(default=1, ge=0, le=247)
    order: Order = Order.ABCD
    padding: Padding = Padding.nul
    write_function: WriteFunction = WriteFunction.multiple

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port} unit {self.unit}"


@dataclass(frozen=True)
class Layout:
    """How one tag's value lies in its registers on one device: its byte order and its strings' padding."""

    order: Order = Order.ABCD
    padding: Padding = Padding.nul


class ModbusAddress(BaseModel):
    """Where a tag lives on a Modbus server: table, first register, type and scale; the type fits the table; an
    order (32-bit values and strings) and a padding (strings) of its own, else its device's."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    table: ModbusTable
    address: int = Field(ge=0, le=65535)
    type: ModbusType
    scale: float = 1.0
    length: int | None = Field(default=None, ge=1, description="registers, for strings")
    order: Order | None = None
    padding: Padding | None = None

    @model_validator(mode="after")
    def _fits_table(self) -> ModbusAddress:
        bit_table = self.table in ("coil", "discrete_input")
        if bit_table != (self.type is ModbusType.bool):
            raise ValueError(f"type {self.type} does not fit table {self.table}")
        if self.type is ModbusType.string and not self.length:
            raise ValueError("a string tag needs a length in registers")
        if self.order is not None and self.type not in _ORDERED:
            raise ValueError(f"order {self.order} is for 32-bit values and strings, not {self.type}: a {self.type} "
                             f"is one register, read as the device sends it")
        if self.padding is not None and self.type is not ModbusType.string:
            raise ValueError(f"padding is for strings, not {self.type}")
        return self

    @property
    def count(self) -> int:
        """How many coils or registers the value occupies."""
        return self.length if self.type is ModbusType.string else _REGISTER_COUNT[self.type]

    def layout(self, device: ModbusEndpoint | None = None) -> Layout:
        """The order and padding of this address on ``device``: its own, else the device's, else ABCD and NUL; a
        one-register number is always ABCD (as the device sends it)."""
        default = Layout(device.order, device.padding) if device is not None else Layout()
        order = (self.order or default.order) if self.type in _ORDERED else Order.ABCD
        return Layout(order, self.padding or default.padding)


def register_of(tag: Tag) -> ModbusAddress | None:
    """The tag's Modbus address, or None for a tag reached over another protocol only."""
    return tag.address("modbus")
