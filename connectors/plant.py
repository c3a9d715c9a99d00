"""The plant description: one file that the simulator serves and the connectors read.

A site describes its plant the same way (see ``plants/riverside/plant.yaml``). The models here are pure data:
loading and validating the file, and looking up a machine's tag, with no protocol code.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from connectors.catalogue import MachineTool, MaterialLot, Part, Product, ProductionOrder, Supplier, _Strict
from connectors.errors import NotFound
from connectors.historian.section import HistorianSection
from connectors.site import config_data, first_problems
from connectors.stations import CameraStation

if TYPE_CHECKING:
    from connectors.plc.plugin import PlcPlugin

ValueType = Literal["bool", "uint16", "int16", "uint32", "int32", "float32", "float64", "string"]
"""A tag's value type when no address declares it (a tag reached over OPC UA only)."""


def _plugins() -> dict[str, PlcPlugin]:
    """The PLC protocols' plugins by name; imported when a file is validated, as each plugin imports this module."""
    from connectors.plc.registry import plugins

    return plugins()



class PlcEndpoint(_Strict):
    """Where one PLC of the plant's ``plcs:`` is; each protocol's plugin subclasses it with its own fields."""

    protocol: str

    @property
    def where(self) -> str:
        """The endpoint in one line, for people (a URL, a host and port)."""
        raise NotImplementedError


RUN_TAG = "run"
"""The tag of every machine that is its run command: writing it starts (1) or stops (0) the machine."""


_SPELLED = {"temp": "temperature", "sp": "setpoint", "pv": "value", "pct": "percent", "qty": "quantity",
            "rh": "humidity", "diff": "difference", "pos": "position", "freq": "frequency", "cnt": "count"}


def tag_words(name: str) -> str:
    """A tag name's words, the usual abbreviations spelled out (``barrel_temp_setpoint`` → barrel temperature
    setpoint)."""
    return " ".join(_SPELLED.get(word, word) for word in name.split("_") if word)


class Tag(_Strict):
    """One tag of a machine. Its address in each protocol is under the protocol's name: ``addresses: {modbus: ...}``,
    or the short form, the protocol's name as a key of the tag itself (``modbus: {...}``); ``tag.modbus`` reads it."""

    name: str
    machine_id: str
    unit: str = ""
    addresses: dict[str, Any] = {}
    """The tag's address by protocol (a node id, a register, a metric name), as that protocol's plugin validates it;
    a tag needs only the address of its machine's protocol."""
    type: ValueType | None = None
    writable: bool = False
    min: float | None = None
    max: float | None = None
    max_step: float | None = Field(default=None, gt=0)  # per write; 0 or less would allow no change or any
    alarm_high: float | None = None
    alarm_low: float | None = None
    enum: dict[int, str] | None = None
    label: str | None = Field(default=None, min_length=1, max_length=60)
    """How people call the tag in answers ("barrel temperature"); by default its name's words, abbreviations
    spelled out (``barrel_temp`` → barrel temperature)."""

    @property
    def words(self) -> str:
        """The tag as people call it: its label, or its name's words with the usual abbreviations spelled out."""
        return self.label or tag_words(self.name)

    @model_validator(mode="before")
    @classmethod
    def _short_addresses(cls, raw: Any) -> Any:
        """Move the keys that name a protocol (``opcua: ns=2;s=...``) into ``addresses``."""
        if not isinstance(raw, dict):
            return raw
        short = {key: value for key, value in raw.items() if key in _plugins()}
        if not short:
            return raw
        addresses = dict(raw.get("addresses") or {})
        twice = sorted(short.keys() & addresses.keys())
        if twice:
            raise ValueError(f"tag {raw.get('machine_id')}.{raw.get('name')}: its {twice[0]} address is given twice "
                             f"(under addresses and beside them)")
        rest = {key: value for key, value in raw.items() if key not in short}
        return {**rest, "addresses": {**addresses, **short}}

    @field_validator("addresses", mode="before")
    @classmethod
    def _by_plugin(cls, raw: Any) -> Any:
        """Each address validated by its protocol's plugin; an unknown protocol is refused, naming the known ones."""
        if not isinstance(raw, dict):
            return raw
        plugins = _plugins()
        unknown = [name for name in raw if name not in plugins]
        if unknown:
            raise PydanticCustomError("plc_protocol", "unknown PLC protocol {name}; use one of: {known}",
                                      {"name": unknown[0], "known": ", ".join(plugins)})
        return {name: plugins[name].validate_address(value) for name, value in raw.items() if value is not None}

    def address(self, protocol: str) -> Any | None:
        """The tag's address in ``protocol``, or None when it has none there."""
        return self.addresses.get(protocol)

    def __getattr__(self, name: str) -> Any:
        """``tag.<protocol>`` is the tag's address in that protocol (None without one), as in the plant file."""
        if not name.startswith("_") and name in _plugins():
            return self.__dict__.get("addresses", {}).get(name)
        return super().__getattr__(name)

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
        """The type of the tag's value: its own, or the one an address declares (a Modbus register's)."""
        return self.type or next(iter(self._declared_types().values()))

    def _declared_types(self) -> dict[str, ValueType]:
        plugins = _plugins()
        declared = {name: plugins[name].declared_type(address) for name, address in self.addresses.items()}
        return {name: kind for name, kind in declared.items() if kind is not None}

    @property
    def is_text(self) -> bool:
        return self.value_type == "string"

    @model_validator(mode="after")
    def _writable_has_limits(self) -> Tag:
        if not self.addresses:
            words = [plugin.address_words for plugin in _plugins().values()]
            raise ValueError(f"tag {self.key} needs {', '.join(words[:-1])} or {words[-1]}" if len(words) > 1
                             else f"tag {self.key} needs {words[0]}")
        declared = self._declared_types()
        if not declared and self.type is None:
            raise ValueError(f"tag {self.key} needs a type: none of its addresses declares one")
        for protocol, kind in declared.items():
            if kind != self.value_type:
                raise ValueError(f"tag {self.key}: type {self.value_type} differs from its {protocol} type {kind}")
        if self.writable and (self.min is None or self.max is None):
            raise ValueError(f"writable tag {self.key} needs min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"tag {self.key}: min > max")
        return self


def drives(setpoint: Tag, reading: Tag) -> bool:
    """Whether a setpoint is the one that drives a measured value: its words, less "setpoint", are the reading's
    (``speed_setpoint`` drives ``speed``, ``temp_setpoint`` ``zone_temp``, ``barrel_temp_setpoint`` ``barrel_temp``)."""
    stem = {w for w in setpoint.name.lower().split("_") if w not in ("setpoint", "sp", "set", "point")}
    return bool(stem) and stem <= set(reading.name.lower().split("_"))


class BomLine(_Strict):
    """A line of a machine's bill of materials: a part and its quantity."""

    part: str
    qty: int = Field(gt=0)


class Machine(_Strict):
    """A machine of the plant file: what it is, its line, its PLC and its tags by name."""

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
    ideal_rate_per_h: float | None = Field(default=None, gt=0)
    """The units its ``good_count`` counts per hour at its design speed (the ideal cycle time's inverse), good and
    rejected together: OEE's performance is its output against this; unset, the machine has no OEE."""
    tool: MachineTool | None = None

    @property
    def setpoints(self) -> list[Tag]:
        return [t for t in self.tags.values() if t.is_setpoint]

    def tag(self, name: str) -> Tag:
        try:
            return self.tags[name]
        except KeyError:
            raise NotFound(f"machine {self.id} has no tag {name!r}; its tags are: {', '.join(self.tags)}") from None


class Line(_Strict):
    """A production line and its machines."""

    id: str
    name: str
    plc: str | None = None
    """The PLC of its machines that name none of their own."""
    machines: list[Machine]


class PlantInfo(_Strict):
    """The plant itself: its id and name, OPC UA namespace (needed by OPC UA node ids), Modbus unit, write security."""

    id: str
    name: str
    site: str = ""
    opcua_namespace: str | None = None
    opcua_writes_without_security: bool = False
    """The admin lets the copilot write over an OPC UA session without security (a loopback demo); else a
    write needs a signed session to a trusted, pinned server certificate."""
    modbus_unit: int = Field(default=1, ge=0, le=247)


def _endpoint(raw: Any) -> PlcEndpoint:
    """One PLC of ``plcs:`` by its protocol's plugin; a ValidationError locates its fields under the protocol."""
    if isinstance(raw, PlcEndpoint):
        return raw
    plugins = _plugins()
    protocol = raw.get("protocol") if isinstance(raw, dict) else None
    if protocol not in plugins:
        raise PydanticCustomError("plc_protocol", "protocol must be one of: {known}", {"known": ", ".join(plugins)})
    return plugins[protocol].validate_endpoint(raw)


class Plant(_Strict):
    """A validated plant file: its PLCs, lines and machines, alarm codes, suppliers, parts, products and orders."""

    plant: PlantInfo
    plcs: dict[str, Annotated[SerializeAsAny[PlcEndpoint], BeforeValidator(_endpoint)]] = {}
    """The PLCs by name; a machine (or its line) names its own. Empty: every machine on the settings' PLC."""
    lines: list[Line]
    alarm_codes: dict[int, str] = {}
    suppliers: list[Supplier]
    parts: list[Part]
    products: list[Product]
    production_orders: list[ProductionOrder]
    cameras: list[CameraStation] = []
    """In-line camera stations; each follows a machine of its line."""
    historian: HistorianSection | None = None
    """Where the tag history is read (``connectors.historian``); absent: the MES's history endpoint."""
    material_lots: list[MaterialLot] = []

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    @cached_property
    def machines(self) -> dict[str, Machine]:
        return {m.id: m for line in self.lines for m in line.machines}

    @property
    def colours(self) -> list[str]:
        """Every colour a product of the plant comes in."""
        return list(dict.fromkeys(c for p in self.products for c in p.offered_colours))

    @property
    def options(self) -> list[str]:
        """Every option a product of the plant offers."""
        return list(dict.fromkeys(o for p in self.products for o in p.offered_options))

    def option_name(self, option: str) -> str:
        """What people call an option: the name PLM gives it, else its id in words."""
        return next((p.options[option] for p in self.products if option in p.options), option.replace("_", " "))

    def machine(self, machine_id: str) -> Machine:
        key = machine_id.strip().upper()
        if key not in self.machines:
            raise NotFound(f"unknown machine {machine_id!r}; the plant has: {', '.join(self.machines)}")
        return self.machines[key]

    def line(self, line_id: str) -> Line:
        """The line with that id (as typed, any case); NotFound names the plant's lines."""
        found = next((line for line in self.lines if line.id.upper() == line_id.strip().upper()), None)
        if found is None:
            raise NotFound(f"unknown line {line_id!r}; the plant has: {', '.join(line.id for line in self.lines)}")
        return found

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
                missing = [t.name for t in m.tags.values() if t.address(protocol) is None]
                if missing:
                    raise ValueError(f"lines.{i}.machines.{j}.tags: machine {m.id} is on {protocol} PLC {name!r}, "
                                     f"but its tags {', '.join(missing)} have no {protocol} address")

    def _cameras_placed(self) -> None:
        """Every camera follows a machine of the line it names."""
        for c in self.cameras:
            if c.follows not in self.machines or self.machines[c.follows].line_id != c.line:
                raise ValueError(f"camera {c.id} follows {c.follows!r}, which is not a machine of line {c.line!r}")

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
        self._cameras_placed()
        if self.plant.opcua_namespace is None and any(t.address("opcua") for t in self.all_tags()):
            raise ValueError("plant.opcua_namespace is missing: the plant's tags have OPC UA node ids (opcua:), so it "
                             "needs the namespace URI of those nodes (opcua_namespace: urn:...)")
        for plugin in _plugins().values():
            plugin.validate_plant(self)
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
    raw = config_data(path, "plant file", PlantFileError)
    try:
        return Plant.model_validate(_with_ids(raw))
    except ValidationError as exc:
        problems = first_problems([f"{'.'.join(map(str, e['loc'])) or 'top level'}: {e['msg']}" for e in exc.errors()])
        raise PlantFileError(f"plant file {path}: {problems}") from None
    except (TypeError, KeyError, AttributeError) as exc:  # not the shape of a plant file at all
        raise PlantFileError(f"plant file {path}: not a plant description ({type(exc).__name__}: {exc})") from None
