"""What the OPC UA information model says of a variable: its data type, engineering unit and EURange.

Shared by the connector's write guard, `plant import` and `plant check`, so that all three read a
server the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asyncua import Node, ua

from connectors.plant import Tag, ValueType

if TYPE_CHECKING:
    from connectors.plc.modbus.schema import ModbusAddress

VARIANT_OF: dict[ValueType, ua.VariantType] = {
    "bool": ua.VariantType.Boolean,
    "uint16": ua.VariantType.UInt16,
    "int16": ua.VariantType.Int16,
    "uint32": ua.VariantType.UInt32,
    "int32": ua.VariantType.Int32,
    "float32": ua.VariantType.Float,
    "float64": ua.VariantType.Double,
    "string": ua.VariantType.String,
}
VALUE_TYPE_OF: dict[ua.VariantType, ValueType] = {variant: kind for kind, variant in VARIANT_OF.items()}
_INTEGER_REGISTERS = ("uint16", "int16", "uint32")


def variant_type(tag: Tag) -> ua.VariantType:
    """The OPC UA type of the tag's node.

    A tag with a Modbus register carries its engineering value on OPC UA: REAL and scaled integer
    registers travel as Double. A tag without one has the type the plant file (or the server) declares.
    """
    register: ModbusAddress | None = tag.address("modbus")
    if register is not None:
        if register.type == "float32" or (register.type in _INTEGER_REGISTERS and register.scale != 1):
            return ua.VariantType.Double
        return VARIANT_OF[register.type]
    return VARIANT_OF[tag.value_type]


def as_variant(tag: Tag, value: float | int | bool | str) -> ua.Variant:
    """``value`` as the OPC UA Variant of the tag's variant type (Boolean, Double, Float, String or an integer)."""
    kind = variant_type(tag)
    python = {ua.VariantType.Boolean: bool, ua.VariantType.Double: float, ua.VariantType.Float: float,
              ua.VariantType.String: str}.get(kind, int)
    return ua.Variant(python(value), kind)


def data_type_name(node_id: ua.NodeId) -> str:
    """A standard data type's name (Double, UInt16, ...), or the node id of a vendor's own type."""
    if node_id.NamespaceIndex == 0 and isinstance(node_id.Identifier, int):
        try:
            return ua.VariantType(node_id.Identifier).name
        except ValueError:
            return ua.ObjectIdNames.get(node_id.Identifier, node_id.to_string())
    return node_id.to_string()


_ABSTRACT: dict[int, set[ua.VariantType]] = {
    ua.ObjectIds.BaseDataType: set(VARIANT_OF.values()),
    ua.ObjectIds.Number: {ua.VariantType.Float, ua.VariantType.Double, ua.VariantType.Int16, ua.VariantType.Int32,
                          ua.VariantType.UInt16, ua.VariantType.UInt32},
    ua.ObjectIds.Integer: {ua.VariantType.Int16, ua.VariantType.Int32},
    ua.ObjectIds.UInteger: {ua.VariantType.UInt16, ua.VariantType.UInt32},
}
"""The abstract data types a server may declare (a MultiStateDiscrete's Number, say), and the types they admit."""


def is_abstract(node_id: ua.NodeId) -> bool:
    """An abstract data type (Number, Integer, ...): the value's own type tells what it holds."""
    return node_id.NamespaceIndex == 0 and node_id.Identifier in _ABSTRACT


def admits(declared: ua.NodeId, variant: ua.VariantType) -> bool:
    """A variable of the declared data type can hold a value of ``variant``: the same type, or an abstract one above."""
    return declared == ua.NodeId(variant.value) or (is_abstract(declared) and variant in _ABSTRACT[declared.Identifier])


def value_type_of(node_id: ua.NodeId) -> ValueType | None:
    """The plant file's type for a server's data type, or None for one the plant file has no word for."""
    if node_id.NamespaceIndex == 0 and isinstance(node_id.Identifier, int):
        try:
            return VALUE_TYPE_OF.get(ua.VariantType(node_id.Identifier))
        except ValueError:
            return None
    return None


async def _property(node: Node, name: str) -> Node | None:
    try:
        return await node.get_child(f"0:{name}")
    except ua.UaStatusCodeError as exc:
        if exc.code in (ua.StatusCodes.BadNoMatch, ua.StatusCodes.BadNodeIdUnknown):
            return None
        raise


async def eu_range(node: Node) -> ua.Range | None:
    """The variable's EURange property (an AnalogItemType has one), or None."""
    prop = await _property(node, "EURange")
    if prop is None:
        return None
    value = await prop.read_value()
    return value if isinstance(value, ua.Range) else None


async def engineering_unit(node: Node) -> str | None:
    """The display name of the variable's EngineeringUnits (°C, bar, ...), or None."""
    prop = await _property(node, "EngineeringUnits")
    if prop is None:
        return None
    value = await prop.read_value()
    if isinstance(value, ua.EUInformation):
        return value.DisplayName.Text or None
    return None


async def enum_strings(node: Node) -> dict[int, str] | None:
    """The states of a MultiStateDiscreteType variable (EnumStrings: state i is the i-th text), or None."""
    prop = await _property(node, "EnumStrings")
    if prop is None:
        return None
    value = await prop.read_value()
    if not isinstance(value, list) or not value:
        return None
    return {i: text.Text if isinstance(text, ua.LocalizedText) else str(text) for i, text in enumerate(value)}


async def enum_values(node: Node) -> dict[int, str] | None:
    """The states of a MultiStateValueDiscreteType variable (EnumValues: each value with its name), or None."""
    prop = await _property(node, "EnumValues")
    if prop is None:
        return None
    value = await prop.read_value()
    if not isinstance(value, list) or not value:
        return None
    return {int(item.Value): item.DisplayName.Text or str(item.Value) for item in value
            if isinstance(item, ua.EnumValueType)}


async def states(node: Node) -> dict[int, str] | None:
    """The named values of a variable, from its EnumStrings or its EnumValues; None when it names none."""
    return await enum_strings(node) or await enum_values(node)
