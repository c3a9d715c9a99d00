"""What a plant file says of Modbus TCP: a device by host, port and unit id (``plcs:``), a tag by its register
(``modbus: {table, address, type, scale, length}``), which also declares the tag's value type."""

from __future__ import annotations

from enum import StrEnum
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
    float32 = "float32"
    string = "string"


_REGISTER_COUNT = {ModbusType.bool: 1, ModbusType.uint16: 1, ModbusType.int16: 1, ModbusType.uint32: 2,
                   ModbusType.float32: 2}


class ModbusEndpoint(PlcEndpoint):
    """A Modbus TCP server: host, port and unit id."""

    protocol: Literal["modbus"] = "modbus"
    host: str = Field(min_length=1)
    port: int = Field(default=502, ge=1, le=65535)
    unit: int = Field(default=1, ge=0, le=247)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port} unit {self.unit}"


class ModbusAddress(BaseModel):
    """Where a tag lives on a Modbus server: table, first register, type and scale; the type fits the table."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    table: ModbusTable
    address: int = Field(ge=0, le=65535)
    type: ModbusType
    scale: float = 1.0
    length: int | None = Field(default=None, ge=1, description="registers, for strings")

    @model_validator(mode="after")
    def _fits_table(self) -> ModbusAddress:
        bit_table = self.table in ("coil", "discrete_input")
        if bit_table != (self.type is ModbusType.bool):
            raise ValueError(f"type {self.type} does not fit table {self.table}")
        if self.type is ModbusType.string and not self.length:
            raise ValueError("a string tag needs a length in registers")
        return self

    @property
    def count(self) -> int:
        """How many coils or registers the value occupies."""
        return self.length if self.type is ModbusType.string else _REGISTER_COUNT[self.type]


def register_of(tag: Tag) -> ModbusAddress | None:
    """The tag's Modbus address, or None for a tag reached over another protocol only."""
    return tag.address("modbus")
