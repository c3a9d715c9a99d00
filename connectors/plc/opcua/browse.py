"""Browsing an OPC UA server's own objects into a plain tree, for `plant import` to shape into a plant file.

Every hierarchical reference is followed forward (Organizes, HasComponent, HasProperty and their subtypes), so a
folder's variables are found whichever reference holds them. Each node is visited once: a variable reached again
by another reference is kept with ``again`` set, so that the draft can say it left it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asyncua import Client, Node, ua

from connectors.plant import ValueType
from connectors.plc.opcua.model import (
    VALUE_TYPE_OF,
    data_type_name,
    engineering_unit,
    eu_range,
    is_abstract,
    states,
    value_type_of,
)

_MAX_DEPTH = 16  # deeper than any plant's folders; a guard against address spaces that loop through new nodes


@dataclass(frozen=True)
class ServerVariable:
    """A variable as the server declares it: data type, unit, EURange, named states and access."""

    name: str
    node_id: str
    data_type: str
    type: ValueType | None
    unit: str = ""
    low: float | None = None
    high: float | None = None
    states: dict[int, str] | None = None
    writable: bool = False
    is_property: bool = False
    """Held by HasProperty (nameplate data, or a value the object carries as a property)."""
    again: bool = False
    """Reached before by another reference: the same node as an earlier variable."""
    text: str = ""
    """The value of a String property (a nameplate's Manufacturer, Model, ...)."""


@dataclass
class ServerObject:
    """An object (or folder) of the server with the variables and objects it holds."""

    name: str
    node_id: str
    description: str = ""
    namespace: int = 0
    variables: list[ServerVariable] = field(default_factory=list)
    children: list[ServerObject] = field(default_factory=list)


async def _text(node: Node, attribute: ua.AttributeIds) -> str:
    value = (await node.read_attribute(attribute)).Value.Value
    return value.Text or "" if isinstance(value, ua.LocalizedText) else str(value or "")


async def _variable(node: Node, name: str, is_property: bool, again: bool) -> ServerVariable:
    data_type = await node.read_data_type()
    declared = await eu_range(node)
    value_type = value_type_of(data_type)
    if value_type is None and is_abstract(data_type):  # declared Number, say: the value's own type is the tag's
        value_type = VALUE_TYPE_OF.get((await node.read_data_value()).Value.VariantType)
    text = str(await node.read_value() or "") if is_property and value_type == "string" else ""
    return ServerVariable(
        name=name, node_id=node.nodeid.to_string(), data_type=data_type_name(data_type),
        type=value_type, unit=await engineering_unit(node) or "",
        low=declared.Low if declared else None, high=declared.High if declared else None,
        states=await states(node), writable=ua.AccessLevel.CurrentWrite in await node.get_access_level(),
        is_property=is_property, again=again, text=text)


async def _object(client: Client, node: Node, name: str, seen: set[str], depth: int) -> ServerObject:
    found = ServerObject(name, node.nodeid.to_string(), await _text(node, ua.AttributeIds.Description),
                         node.nodeid.NamespaceIndex)
    references = await node.get_references(refs=ua.ObjectIds.HierarchicalReferences,
                                           direction=ua.BrowseDirection.Forward, includesubtypes=True,
                                           nodeclassmask=ua.NodeClass.Object | ua.NodeClass.Variable)
    for ref in references:
        child = client.get_node(ref.NodeId)
        key = ref.NodeId.to_string()
        again = key in seen
        seen.add(key)
        if ref.NodeClass == ua.NodeClass.Variable:
            is_property = ref.ReferenceTypeId == ua.NodeId(ua.ObjectIds.HasProperty)
            found.variables.append(await _variable(child, ref.BrowseName.Name, is_property, again))
        elif not again and depth < _MAX_DEPTH:
            found.children.append(await _object(client, child, ref.BrowseName.Name, seen, depth + 1))
    return found


async def browse_objects(client: Client) -> tuple[list[ServerObject], list[str]]:
    """The server's own objects under Objects (not namespace 0's: the Server object and its like), each with its
    subtree; and the server's namespace array."""
    seen: set[str] = set()
    roots = []
    for node in await client.nodes.objects.get_children(nodeclassmask=ua.NodeClass.Object):
        if node.nodeid.NamespaceIndex == 0:
            continue
        seen.add(node.nodeid.to_string())
        roots.append(await _object(client, node, (await node.read_browse_name()).Name, seen, 0))
    return roots, await client.get_namespace_array()
