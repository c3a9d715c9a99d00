"""The plant description: one file that the simulator serves and the connectors read.

A user describes their own plant the same way (see ``config/plant.yaml``). The
models here are pure data: loading and validating the file, and looking up a
machine's tag, with no protocol code.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.plc_endpoints import PlcEndpoint, Protocol

ModbusTable = Literal["coil", "discrete_input", "input_register", "holding_register"]
ModbusType = Literal["bool", "uint16", "int16", "uint32", "float32", "string"]
ValueType = Literal["bool", "uint16", "int16", "uint32", "int32", "float32", "float64", "string"]
"""A tag's value type when no Modbus register declares it (a tag reached over OPC UA only)."""

_REGISTER_COUNT = {"bool": 1, "uint16": 1, "int16": 1, "uint32": 2, "float32": 2}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # a NaN limit checks nothing


class ModbusAddress(_Strict):
    table: ModbusTable
    address: int = Field(ge=0, le=65535)
    type: ModbusType
    scale: float = 1.0
    length: int | None = Field(default=None, ge=1, description="registers, for strings")

    @model_validator(mode="after")
    def _fits_table(self) -> ModbusAddress:
        bit_table = self.table in ("coil", "discrete_input")
        if bit_table != (self.type == "bool"):
            raise ValueError(f"type {self.type} does not fit table {self.table}")
        if self.type == "string" and not self.length:
            raise ValueError("a string tag needs a length in registers")
        return self

    @property
    def count(self) -> int:
        """How many coils or registers the value occupies."""
        return self.length if self.type == "string" else _REGISTER_COUNT[self.type]


RUN_TAG = "run"
"""The tag of every machine that is its run command: writing it starts (1) or stops (0) the machine."""


class Tag(_Strict):
    name: str
    machine_id: str
    unit: str = ""
    opcua: str | None = None
    """The node id (``ns=2;s=...``); a tag needs only the address of its machine's protocol."""
    modbus: ModbusAddress | None = None
    mqtt: str | None = Field(default=None, min_length=1)
    """The Sparkplug B metric name (``Motor/speed``); its device is the machine's id."""
    type: ValueType | None = None
    writable: bool = False
    min: float | None = None
    max: float | None = None
    max_step: float | None = None
    alarm_high: float | None = None
    alarm_low: float | None = None
    enum: dict[int, str] | None = None

    @property
    def key(self) -> str:
        return f"{self.machine_id}.{self.name}"

    @property
    def is_run_command(self) -> bool:
        return self.name == RUN_TAG

    @property
    def is_setpoint(self) -> bool:
        """A writable tag that tunes the process; the run command starts and stops it instead."""
        return self.writable and not self.is_run_command

    def code_of(self, name: str) -> int | None:
        """The value of an enumerated tag that means ``name`` (the state tag's "faulted", say)."""
        return next((code for code, label in (self.enum or {}).items() if label == name), None)

    @property
    def value_type(self) -> ValueType:
        """The type of the tag's value: its own, or its Modbus register's."""
        return self.type or self.modbus.type

    @property
    def is_text(self) -> bool:
        return self.value_type == "string"

    @model_validator(mode="after")
    def _writable_has_limits(self) -> Tag:
        if self.opcua is None and self.modbus is None and self.mqtt is None:
            raise ValueError(f"tag {self.key} needs an opcua node id, a modbus address or an mqtt metric name")
        if self.modbus is None and self.type is None:
            raise ValueError(f"tag {self.key} needs a type or a modbus address")
        if self.modbus is not None and self.type is not None and self.type != self.modbus.type:
            raise ValueError(f"tag {self.key}: type {self.type} differs from its modbus type {self.modbus.type}")
        if self.writable and (self.min is None or self.max is None):
            raise ValueError(f"writable tag {self.key} needs min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"tag {self.key}: min > max")
        return self


class BomLine(_Strict):
    part: str
    qty: int = Field(gt=0)


class Machine(_Strict):
    id: str
    name: str
    kind: str
    model: str
    manufacturer: str
    line_id: str
    plc: str | None = None
    """The name of its PLC in the plant's ``plcs``; unset, its line's."""
    tags: dict[str, Tag]
    bom: list[BomLine] = []

    @property
    def setpoints(self) -> list[Tag]:
        return [t for t in self.tags.values() if t.is_setpoint]

    def tag(self, name: str) -> Tag:
        from connectors.errors import NotFound

        try:
            return self.tags[name]
        except KeyError:
            raise NotFound(
                f"machine {self.id} has no tag {name!r}; its tags are: {', '.join(self.tags)}"
            ) from None


class Line(_Strict):
    id: str
    name: str
    plc: str | None = None
    """The PLC of its machines that name none of their own."""
    machines: list[Machine]


class Supplier(_Strict):
    id: str
    name: str
    country: str


class Offer(_Strict):
    supplier: str
    price: float = Field(gt=0)
    lead_time_days: int = Field(ge=0)
    carbon_kg: float = Field(ge=0)


class Part(_Strict):
    id: str
    name: str
    unit: str
    stock: int = Field(ge=0)
    reorder_point: int = Field(ge=0)
    reorder_qty: int = Field(gt=0)
    offers: list[Offer]


class Variant(_Strict):
    id: str
    colour: str
    options: list[str] = []


class Product(_Strict):
    id: str
    name: str
    line: str
    variants: list[Variant]


class ProductionOrder(_Strict):
    id: str
    line: str
    product: str
    variant: str
    quantity: int = Field(gt=0)
    produced: int = Field(ge=0)
    status: Literal["planned", "in_progress", "done", "cancelled"]


class PlantInfo(_Strict):
    id: str
    name: str
    site: str = ""
    opcua_namespace: str
    opcua_writes_without_security: bool = False
    """The admin lets the copilot write over an OPC UA session without security (a loopback demo); else a
    write needs a signed session to a trusted, pinned server certificate."""
    modbus_unit: int = Field(default=1, ge=0, le=247)


_ADDRESS_OF = {Protocol.opcua: "opcua", Protocol.modbus: "modbus", Protocol.mqtt: "mqtt"}
"""The tag field that addresses a tag in each protocol."""


class Plant(_Strict):
    plant: PlantInfo
    plcs: dict[str, PlcEndpoint] = {}
    """The PLCs by name; a machine (or its line) names its own. Empty: every machine on the settings' PLC."""
    lines: list[Line]
    alarm_codes: dict[int, str] = {}
    suppliers: list[Supplier]
    parts: list[Part]
    products: list[Product]
    production_orders: list[ProductionOrder]

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @cached_property
    def machines(self) -> dict[str, Machine]:
        return {m.id: m for line in self.lines for m in line.machines}

    def machine(self, machine_id: str) -> Machine:
        from connectors.errors import NotFound

        key = machine_id.strip().upper()
        if key not in self.machines:
            raise NotFound(
                f"unknown machine {machine_id!r}; the plant has: {', '.join(self.machines)}"
            )
        return self.machines[key]

    def tag(self, machine_id: str, tag_name: str) -> Tag:
        return self.machine(machine_id).tag(tag_name)

    def all_tags(self) -> list[Tag]:
        return [t for m in self.machines.values() for t in m.tags.values()]

    def plc_of(self, machine_id: str) -> str | None:
        """The name of the machine's PLC: its own, else its line's; None when it is on the settings' PLC."""
        machine = self.machine(machine_id)
        line = next(line for line in self.lines if line.id == machine.line_id)
        return machine.plc or line.plc

    def _plcs_named(self) -> None:
        """Every PLC a line or machine names exists, and its machines' tags have that protocol's address."""
        known = ", ".join(self.plcs) or "none (add a plcs: section)"
        for i, line in enumerate(self.lines):
            if line.plc is not None and line.plc not in self.plcs:
                raise ValueError(f"lines.{i}.plc: line {line.id} names unknown PLC {line.plc!r}; "
                                 f"the plant's PLCs are: {known}")
            for j, m in enumerate(line.machines):
                if m.plc is not None and m.plc not in self.plcs:
                    raise ValueError(f"lines.{i}.machines.{j}.plc: machine {m.id} names unknown PLC {m.plc!r}; "
                                     f"the plant's PLCs are: {known}")
                name = m.plc or line.plc
                if name is None:
                    continue
                protocol = self.plcs[name].protocol
                field = _ADDRESS_OF[protocol]
                missing = [t.name for t in m.tags.values() if getattr(t, field) is None]
                if missing:
                    raise ValueError(f"lines.{i}.machines.{j}.tags: machine {m.id} is on {protocol} PLC {name!r}, "
                                     f"but its tags {', '.join(missing)} have no {field} address")

    @model_validator(mode="after")
    def _consistent(self) -> Plant:
        part_ids = {p.id for p in self.parts}
        supplier_ids = {s.id for s in self.suppliers}
        for line in self.lines:
            for m in line.machines:
                for b in m.bom:
                    if b.part not in part_ids:
                        raise ValueError(f"{m.id} BOM names unknown part {b.part}")
        for p in self.parts:
            for o in p.offers:
                if o.supplier not in supplier_ids:
                    raise ValueError(f"part {p.id} offered by unknown supplier {o.supplier}")
        self._plcs_named()
        seen: dict[tuple[str | None, tuple[str, int]], str] = {}  # each PLC has its own registers
        for t in self.all_tags():
            plc = self.plc_of(t.machine_id)
            for i in range(t.modbus.count if t.modbus else 0):
                slot = (t.modbus.table, t.modbus.address + i)
                if (plc, slot) in seen:
                    raise ValueError(f"Modbus {slot} used by both {seen[plc, slot]} and {t.key}")
                seen[plc, slot] = t.key
        return self


def _with_ids(raw: dict) -> dict:
    """Put each machine's line id and each tag's name and machine into the raw data."""
    for line in raw.get("lines", []):
        for machine in line.get("machines", []):
            machine["line_id"] = line["id"]
            for name, tag in machine.get("tags", {}).items():
                tag.update(name=name, machine_id=machine["id"])
    return raw


class PlantFileError(ValueError):
    """The plant file cannot be read or has a mistake; the message names the file and the fields."""


def load_plant(path: str | Path) -> Plant:
    """Read and validate a plant file; PlantFileError names the file and the offending fields."""
    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        return Plant.model_validate(_with_ids(raw))
    except (OSError, yaml.YAMLError) as exc:
        raise PlantFileError(f"plant file {path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'top level'}: {e['msg']}" for e in exc.errors()[:5])
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise PlantFileError(f"plant file {path}: {problems}{more}") from None
    except (TypeError, KeyError, AttributeError) as exc:  # not the shape of a plant file at all
        raise PlantFileError(f"plant file {path}: not a plant description ({type(exc).__name__}: {exc})") from None
