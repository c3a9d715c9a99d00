"""`plant import`: draft a plant file from an OPC UA server's address space, for the admin to review.

A machine is an object that holds variables, or one whose variables all sit in parameter folders
(DB_Params, Parameters, Setpoints, Status, ...); everything in its subtree is its tags. An object above machines
is a line. Where the shape leaves a doubt (an object under a machine that is no parameter folder, a parameter
folder beside machines) the draft says so rather than guess silently. A tag gets its node id, its type from the
declared data type, its unit from EngineeringUnits, its limits from EURange; one the server lets be written and
bounds with an EURange is writable within it. The machine's state is chosen by ``machine_state``'s rule. Every
variable left out is listed with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from asyncua import Client

from connectors.plant import ValueType
from connectors.plc.opcua.browse import ServerObject, ServerVariable, browse_objects
from connectors.plc.opcua.machine_state import STATE_TAG, choose_state
from connectors.settings import OpcUaSecurity

_NAMEPLATE_FIELDS = {"Manufacturer": "manufacturer", "Model": "model", "DeviceClass": "kind"}
"""The Device Integration nameplate properties the draft takes for the machine's fields."""
_NAMEPLATE = set(_NAMEPLATE_FIELDS) | {
    "ManufacturerUri", "SerialNumber", "ProductCode", "ProductInstanceUri", "HardwareRevision", "SoftwareRevision",
    "DeviceRevision", "DeviceManual", "RevisionCounter", "AssetId", "ComponentName", "NodeVersion", "Icon"}
_GROUP_WORDS = {"param", "params", "parameter", "parameters", "parameterset", "setpoint", "setpoints", "settings",
                "config", "configuration", "status", "states", "data", "values", "processvalues", "processdata",
                "measurements", "measurement", "inputs", "outputs", "io", "alarms", "diagnostics", "diagnosis",
                "control", "commands", "recipe", "hmi", "monitoring", "operation", "maintenance"}
_NUMBERS = ("uint16", "int16", "uint32", "int32", "float32", "float64")


class SkipReason(StrEnum):
    """Why a variable of the server is not a tag of the draft."""

    data_type = "its data type is none a plant file holds"
    nameplate = "nameplate data, not a live value"
    again = "the same node as another tag, reached by a second reference"
    name_taken = "its tag name is another tag's"


@dataclass(frozen=True)
class Skipped:
    """A variable of the server the draft leaves out, and why."""

    where: str
    variable: ServerVariable
    reason: SkipReason

    def __str__(self) -> str:
        detail = f" ({self.variable.data_type})" if self.reason is SkipReason.data_type else ""
        return f"{self.where}/{self.variable.name} ({self.variable.node_id}): skipped, {self.reason.value}{detail}"


@dataclass(frozen=True)
class DraftTag:
    """A variable found on the server, as a tag of the draft."""

    name: str
    opcua: str
    type: ValueType
    unit: str = ""
    min: float | None = None
    max: float | None = None
    enum: dict[int, str] | None = None
    writable: bool = False
    server_writable: bool = False
    note: str = ""


@dataclass
class DraftMachine:
    """A machine found on the server, with its tags and what the admin should look at."""

    id: str
    name: str
    kind: str = ""
    model: str = ""
    manufacturer: str = ""
    tags: list[DraftTag] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class DraftLine:
    """A line of the draft and the machines found on it."""

    id: str
    name: str
    machines: list[DraftMachine] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """A plant file drafted from an OPC UA server's address space, before it is rendered as YAML."""

    url: str
    security: OpcUaSecurity
    plant_id: str
    plant_name: str
    namespace: str
    lines: list[DraftLine]

    @property
    def machines(self) -> list[DraftMachine]:
        return [machine for line in self.lines for machine in line.machines]

    @property
    def doubts(self) -> list[str]:
        """What the admin should look at, one line each, naming the machine."""
        return [f"{m.id}: {doubt}" for m in self.machines for doubt in m.doubts]

    @property
    def skipped(self) -> list[Skipped]:
        return [skipped for m in self.machines for skipped in m.skipped]


def snake(name: str) -> str:
    """A server's browse name as a tag name: MotorCurrent, Motor-Current and motor current are motor_current."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "tag"


def is_parameter_folder(name: str) -> bool:
    """A folder named as a group of a machine's variables (DB_Params, Parameters, Setpoints, Status, ...)."""
    plain = re.sub(r"^(i?db|fb|udt)[^a-z]*", "", name.lower())
    return re.sub(r"[^a-z]", "", plain) in _GROUP_WORDS


def _is_nameplate(variable: ServerVariable) -> bool:
    return variable.is_property and variable.name in _NAMEPLATE


def _values(obj: ServerObject) -> list[ServerVariable]:
    return [v for v in obj.variables if not _is_nameplate(v)]


def _holds(obj: ServerObject) -> bool:
    return bool(_values(obj)) or any(_holds(child) for child in obj.children)


def is_machine(obj: ServerObject) -> bool:
    """Holds variables of its own, or holds them only in parameter folders."""
    holding = [child for child in obj.children if _holds(child)]
    return bool(_values(obj)) or (bool(holding) and all(is_parameter_folder(child.name) for child in holding))


def machine_id(name: str) -> str:
    """A machine's id in the plant file: its browse name in capitals, spaces as dashes (ids are matched so)."""
    return re.sub(r"\s+", "-", name.strip()).upper()


@dataclass(frozen=True)
class _Place:
    """Where a variable sits below its machine: the folder path, and the prefix of its tag name."""

    path: str
    prefix: str

    def below(self, child: ServerObject) -> _Place:
        path = f"{self.path}/{child.name}" if self.path else child.name
        return _Place(path, self.prefix if is_parameter_folder(child.name) else f"{self.prefix}{snake(child.name)}_")


@dataclass
class _Machine:
    """A machine being drafted: its variables in the order found, where each sits, and the doubts."""

    draft: DraftMachine
    found: list[tuple[_Place, ServerVariable]] = field(default_factory=list)

    def gather(self, obj: ServerObject, place: _Place) -> None:
        self.found += [(place, variable) for variable in obj.variables]
        for child in obj.children:
            below = place.below(child)
            if below.prefix != place.prefix and _holds(child):
                self.draft.doubts.append(f"{below.path} is taken as part of {self.draft.id} (its tags are named "
                                         f"{below.prefix}...); if it is a machine of its own, move its tags to one")
            self.gather(child, below)

    def skip(self, place: _Place, variable: ServerVariable, reason: SkipReason) -> None:
        where = f"{self.draft.id}/{place.path}" if place.path else self.draft.id
        self.draft.skipped.append(Skipped(where, variable, reason))

    def usable(self) -> list[tuple[_Place, ServerVariable]]:
        """The variables that can be tags; the others are skipped, each with its reason."""
        usable = []
        for place, variable in self.found:
            if _is_nameplate(variable):
                if variable.name in _NAMEPLATE_FIELDS and not place.path:
                    setattr(self.draft, _NAMEPLATE_FIELDS[variable.name], variable.text)
                else:
                    self.skip(place, variable, SkipReason.nameplate)
            elif variable.again:
                self.skip(place, variable, SkipReason.again)
            elif variable.type is None:
                self.skip(place, variable, SkipReason.data_type)
            else:
                usable.append((place, variable))
        return usable


def _tag(name: str, variable: ServerVariable, enum: dict[int, str] | None, note: str = "") -> DraftTag:
    bounded = variable.type in _NUMBERS and variable.low is not None and variable.high is not None
    return DraftTag(name=name, opcua=variable.node_id, type=variable.type, unit=variable.unit,
                    min=variable.low if bounded else None, max=variable.high if bounded else None, enum=enum,
                    writable=variable.writable and bounded, server_writable=variable.writable, note=note)


def _tag_name(place: _Place, variable: ServerVariable, taken: set[str]) -> tuple[str | None, str]:
    """The variable's tag name (None when every choice is taken) and a note when it is not the obvious one."""
    name = place.prefix + snake(variable.name)
    note = ""
    if name == STATE_TAG:
        name, note = f"{STATE_TAG}_code", (f"not the machine's state: the server names none of its values "
                                           f"(EnumStrings, EnumValues); add enum: and call it {STATE_TAG}")
    if name in taken and place.path:
        name = f"{snake(place.path.rsplit('/', 1)[-1])}_{name}"
    return (None, "") if name in taken else (name, note)


def draft_machine(obj: ServerObject) -> DraftMachine:
    """The machine an object of the server is: its tags (its state among them), doubts and skipped variables."""
    machine = _Machine(DraftMachine(id=machine_id(obj.name), name=obj.description or obj.name))
    machine.gather(obj, _Place("", ""))
    usable = machine.usable()
    state = choose_state([variable for _, variable in usable])
    taken: set[str] = {STATE_TAG} if state else set()
    for place, variable in usable:
        if state is not None and variable is state.variable:
            machine.draft.tags.append(_tag(STATE_TAG, variable, state.enum, state.note))
            continue
        name, note = _tag_name(place, variable, taken)
        if name is None:
            machine.skip(place, variable, SkipReason.name_taken)
            continue
        taken.add(name)
        machine.draft.tags.append(_tag(name, variable, variable.states, note))
    return machine.draft


@dataclass
class _Shape:
    """Lines and the machines on them, found so far."""

    lines: dict[str, DraftLine] = field(default_factory=dict)

    def machine(self, obj: ServerObject, line: DraftLine) -> None:
        machine = draft_machine(obj)
        if any(m.id == machine.id for known in self.lines.values() for m in known.machines):
            machine.id = machine_id(f"{line.id}-{obj.name}")
        if is_parameter_folder(obj.name):
            machine.doubts.append(f"{obj.name} looks like a parameter folder, but no machine holds it: drafted as a "
                                  f"machine of its own; if its tags belong to a machine, move them there")
        self.lines.setdefault(line.id, line).machines.append(machine)

    def walk(self, obj: ServerObject, line: DraftLine) -> None:
        """Each child object that is a machine is one of ``line``; any other child object is a line."""
        for child in obj.children:
            if is_machine(child):
                self.machine(child, line)
            else:
                self.walk(child, DraftLine(child.name, child.description or child.name))


def shape(roots: list[ServerObject]) -> list[DraftLine]:
    """The lines and machines of the server's objects (a machine right under Objects is on a line "Objects")."""
    found = _Shape()
    top = ServerObject("Objects", "i=85", children=[root for root in roots if is_machine(root)])
    found.walk(top, DraftLine("Objects", "Objects"))
    for root in roots:
        if not is_machine(root):
            found.walk(root, DraftLine(root.name, root.description or root.name))
    return list(found.lines.values())


async def draft_plant(client: Client, url: str, security: OpcUaSecurity) -> Draft:
    """Browse the server's own objects into a draft of the plant, as reached at ``url`` with ``security``."""
    roots, namespaces = await browse_objects(client)
    lines = shape(roots)
    namespace = namespaces[roots[0].namespace] if roots else ""
    name = roots[0].description if len(roots) == 1 else ""
    plant_id = re.split(r"[:/]", namespace.rstrip("/"))[-1] if namespace else "plant"
    return Draft(url=url, security=security, plant_id=plant_id, plant_name=name or plant_id, namespace=namespace,
                 lines=lines)
