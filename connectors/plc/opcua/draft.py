"""`plant import`: draft a plant file from an OPC UA server's address space, for the admin to review.

Machines are the objects that hold variables, their line the object above them. A tag gets its node
id, its type from the declared data type, its unit from EngineeringUnits, its limits from EURange and
its states from EnumStrings. No tag is writable in the draft: those the server's access level lets be
written are marked, and the admin decides which the copilot may change (with a maximum step).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from asyncua import Client, Node, ua

from connectors.plant import ValueType
from connectors.plc.opcua.model import data_type_name, engineering_unit, enum_strings, eu_range, value_type_of

_DI_PROPERTIES = ("Manufacturer", "Model", "DeviceClass")


@dataclass(frozen=True)
class DraftTag:
    """A variable found on the server, as a tag of the draft; ``type`` None when a plant file cannot hold it."""

    name: str
    opcua: str
    data_type: str
    type: ValueType | None
    unit: str = ""
    min: float | None = None
    max: float | None = None
    enum: dict[int, str] | None = None
    server_writable: bool = False


@dataclass(frozen=True)
class DraftMachine:
    """A machine found on the server, with its tags."""

    id: str
    name: str
    kind: str
    model: str
    manufacturer: str
    tags: list[DraftTag]


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
    plant_id: str
    plant_name: str
    namespace: str
    lines: list[DraftLine]


async def _text(node: Node, attribute: ua.AttributeIds) -> str:
    value = (await node.read_attribute(attribute)).Value.Value
    return value.Text or "" if isinstance(value, ua.LocalizedText) else str(value or "")


async def _draft_tag(node: Node) -> DraftTag:
    name = (await node.read_browse_name()).Name
    data_type = await node.read_data_type()
    writable = ua.AccessLevel.CurrentWrite in await node.get_access_level()
    declared = await eu_range(node)
    return DraftTag(
        name=name, opcua=node.nodeid.to_string(), data_type=data_type_name(data_type),
        type=value_type_of(data_type), unit=await engineering_unit(node) or "",
        min=declared.Low if declared else None, max=declared.High if declared else None,
        enum=await enum_strings(node), server_writable=writable)


async def _draft_machine(node: Node, variables: list[Node]) -> DraftMachine:
    machine_id = (await node.read_browse_name()).Name
    properties = {}
    for prop in await node.get_properties():
        name = (await prop.read_browse_name()).Name
        if name in _DI_PROPERTIES:
            properties[name] = str(await prop.read_value() or "")
    return DraftMachine(
        id=machine_id, name=await _text(node, ua.AttributeIds.Description) or machine_id,
        kind=properties.get("DeviceClass", ""), model=properties.get("Model", ""),
        manufacturer=properties.get("Manufacturer", ""), tags=[await _draft_tag(v) for v in variables])


async def _walk(node: Node, line: DraftLine, lines: dict[str, DraftLine]) -> None:
    """Each child object with variables is a machine of ``line``; any other child object is a line."""
    for child in await node.get_children(nodeclassmask=ua.NodeClass.Object):
        variables = await child.get_children(refs=ua.ObjectIds.HasComponent, nodeclassmask=ua.NodeClass.Variable)
        if variables:
            lines.setdefault(line.id, line).machines.append(await _draft_machine(child, variables))
        else:
            child_id = (await child.read_browse_name()).Name
            sub = DraftLine(child_id, await _text(child, ua.AttributeIds.Description) or child_id)
            await _walk(child, sub, lines)


async def draft_plant(client: Client, url: str) -> Draft:
    """Browse the server's own objects (not namespace 0's Server object) into a draft of the plant."""
    namespaces = await client.get_namespace_array()
    roots = [n for n in await client.nodes.objects.get_children(nodeclassmask=ua.NodeClass.Object)
             if n.nodeid.NamespaceIndex != 0]
    lines: dict[str, DraftLine] = {}
    for root in roots:
        root_id = (await root.read_browse_name()).Name
        await _walk(root, DraftLine(root_id, await _text(root, ua.AttributeIds.Description) or root_id), lines)
    namespace = namespaces[roots[0].nodeid.NamespaceIndex] if roots else ""
    name = (await _text(roots[0], ua.AttributeIds.Description)) if len(roots) == 1 else ""
    plant_id = re.split(r"[:/]", namespace.rstrip("/"))[-1] if namespace else "plant"
    return Draft(url=url, plant_id=plant_id, plant_name=name or plant_id, namespace=namespace,
                 lines=list(lines.values()))


def _flow(value: object) -> str:
    """One YAML value on one line (in a list first, so that a scalar gets no document end marker)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=10**6, sort_keys=False, allow_unicode=True)
    return text.strip()[1:-1]


def _tag_line(tag: DraftTag) -> str:
    if tag.type is None:
        return (f"          # {tag.name}: skipped, {tag.opcua} has data type {tag.data_type}, "
                "which a plant file cannot hold")
    fields: dict[str, object] = {"unit": tag.unit, "opcua": tag.opcua, "type": tag.type}
    if tag.min is not None and tag.max is not None:
        fields.update(min=_number(tag.min), max=_number(tag.max))
    if tag.enum:
        fields["enum"] = tag.enum
    mark = "   # the server lets it be written" if tag.server_writable else ""
    return f"          {_flow(tag.name)}: {_flow(fields)}{mark}"


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def render(draft: Draft) -> str:
    """The draft as a plant file, one line per tag like plants/riverside/plant.yaml, with what the admin must review."""
    out = [
        f"# Drafted by `plant-copilot plant import {draft.url}`: review it before use.",
        "# No tag is writable here. For each tag the copilot may change (\"the server lets it be written\"), set",
        "# writable: true, limits no wider than the server's EURange (min, max) and a max_step.",
        "# Add alarm_high / alarm_low thresholds, the BOMs, parts, suppliers and products; a tag's modbus address",
        "# if it is read over Modbus too. Then `plant-copilot plant check --plant-file THIS_FILE`.",
        "plant:",
        f"  id: {_flow(draft.plant_id)}",
        f"  name: {_flow(draft.plant_name)}",
        f"  opcua_namespace: {_flow(draft.namespace)}",
        "",
        "lines:",
    ]
    for line in draft.lines:
        out += [f"  - id: {_flow(line.id)}", f"    name: {_flow(line.name)}", "    machines:"]
        for machine in line.machines:
            out += [f"      - id: {_flow(machine.id)}"]
            out += [f"        {key}: {_flow(getattr(machine, key))}"
                    for key in ("name", "kind", "model", "manufacturer")]
            typed = any(tag.type is not None for tag in machine.tags)
            out += ["        tags:" if typed else "        tags: {}"] + [_tag_line(tag) for tag in machine.tags] + [""]
    out += ["suppliers: []", "parts: []", "products: []", "production_orders: []", ""]
    return "\n".join(out)
