"""`plant check` of an OPC UA server: does the plant file agree with it?

Every tag's node must exist and be a variable of the data type the connector reads and writes it as; a
writable tag must be writable on the server, and its limits no wider than the EURange the server
declares (the connector holds a write to the tighter of the two anyway, so wider limits mislead the
policy and the people reading them). Differences that change nothing (a unit spelled otherwise, limits
the server does not declare) are notes.
"""

from __future__ import annotations

from asyncua import Client, Node, ua

from connectors.plant import Plant, Tag
from connectors.plc.findings import Finding, Severity
from connectors.plc.opcua.model import admits, data_type_name, engineering_unit, eu_range, variant_type

_ATTRIBUTES = (ua.AttributeIds.NodeClass, ua.AttributeIds.DataType, ua.AttributeIds.AccessLevel)


async def _attributes(client: Client, tags: list[Tag]) -> list[list[ua.DataValue]]:
    """NodeClass, DataType and AccessLevel of every tag's node, in one Read request."""
    params = ua.ReadParameters()
    for tag in tags:
        for attribute in _ATTRIBUTES:
            node_id = ua.NodeId.from_string(tag.address("opcua"))
            params.NodesToRead.append(ua.ReadValueId(NodeId=node_id, AttributeId=attribute))
    values = await client.uaclient.read(params)
    return [values[i:i + len(_ATTRIBUTES)] for i in range(0, len(values), len(_ATTRIBUTES))]


def _limits(tag: Tag, declared: ua.Range | None) -> list[Finding]:
    if declared is None:
        return []
    if tag.min is None or tag.max is None:
        return [Finding(tag.key, Severity.note, f"the server declares EURange {declared.Low:g}..{declared.High:g}; "
                                                f"the plant file gives no limits")]
    if tag.min < declared.Low or tag.max > declared.High:
        return [Finding(tag.key, Severity.problem,
                        f"limits {tag.min:g}..{tag.max:g} contradict the server's EURange "
                        f"{declared.Low:g}..{declared.High:g}: the connector refuses writes outside the EURange; "
                        f"narrow the plant file's limits to it")]
    return []


def _unit(tag: Tag, unit: str | None) -> list[Finding]:
    if unit is None or unit == tag.unit:
        return []
    return [Finding(tag.key, Severity.note, f"unit {tag.unit!r} in the plant file, {unit!r} on the server")]


async def _check_tag(client: Client, tag: Tag, node_class: ua.DataValue, data_type: ua.DataValue,
                     access: ua.DataValue) -> list[Finding]:
    if not node_class.StatusCode.is_good():
        return [Finding(tag.key, Severity.problem, f"node {tag.address('opcua')} is not on the server "
                                                   f"({node_class.StatusCode.name})")]
    if node_class.Value.Value != ua.NodeClass.Variable:
        return [Finding(tag.key, Severity.problem, f"node {tag.address('opcua')} is an "
                                                   f"{ua.NodeClass(node_class.Value.Value).name}, "
                                                   f"not a variable")]
    findings = []
    expected = variant_type(tag)
    if not admits(data_type.Value.Value, expected):
        findings.append(Finding(tag.key, Severity.problem,
                                f"the server declares data type {data_type_name(data_type.Value.Value)}; the plant "
                                f"file's type makes the connector use {expected.name}"))
    if tag.writable and not access.Value.Value & ua.AccessLevel.CurrentWrite.mask:
        findings.append(Finding(tag.key, Severity.problem, "writable in the plant file, read-only on the server"))
    node: Node = client.get_node(ua.NodeId.from_string(tag.address("opcua")))
    return findings + _limits(tag, await eu_range(node)) + _unit(tag, await engineering_unit(node))


async def check_plant(client: Client, plant: Plant, machines: set[str] | None = None) -> list[Finding]:
    """What in the plant file disagrees with the server, tag by tag (of ``machines``, default all); empty when
    they agree."""
    tags: list[Tag] = []
    findings: list[Finding] = []
    for tag in plant.all_tags():
        if machines is not None and tag.machine_id not in machines:
            continue
        node_id = tag.address("opcua")
        if node_id is None:  # reached over Modbus only: nothing to check on the OPC UA server
            continue
        try:
            ua.NodeId.from_string(node_id)
            tags.append(tag)
        except ua.UaStringParsingError:
            findings.append(Finding(tag.key, Severity.problem, f"{node_id!r} is not an OPC UA node id"))
    for tag, (node_class, data_type, access) in zip(tags, await _attributes(client, tags), strict=True):
        findings += await _check_tag(client, tag, node_class, data_type, access)
    return findings
