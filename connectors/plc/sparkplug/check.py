"""`plant check` of a Sparkplug B edge node: every tag's metric is in its machine's DBIRTH, in a datatype that
holds the tag's values."""

from __future__ import annotations

from connectors.errors import ConnectorError
from connectors.plant import Plant, Tag
from connectors.plc.findings import Finding, Severity
from connectors.plc.sparkplug.client import MqttPlc
from connectors.plc.sparkplug.edge_state import KnownMetric
from connectors.plc.sparkplug.payload import DataType

_HOLDS = {"bool": {DataType.Boolean}, "string": {DataType.String, DataType.Text}}
_NUMBERS = {DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16,
            DataType.UInt32, DataType.UInt64, DataType.Float, DataType.Double}


def _metric_findings(tag: Tag, birth: dict[str, KnownMetric]) -> list[Finding]:
    name = tag.address("mqtt")
    known = birth.get(name)
    if known is None:
        return [Finding(tag.key, Severity.problem, f"metric {name!r} is not in {tag.machine_id}'s DBIRTH; it "
                                                   f"names: {', '.join(birth) or 'nothing'}")]
    holds = _HOLDS.get(tag.value_type, _NUMBERS)
    if known.datatype not in holds:
        return [Finding(tag.key, Severity.problem, f"metric {name!r} is a {known.datatype.name}; the plant file's "
                                                   f"type {tag.value_type} needs one of "
                                                   f"{', '.join(sorted(d.name for d in holds))}")]
    return []


async def check_births(plc: MqttPlc, plant: Plant, machines: list[str]) -> list[Finding]:
    """Each machine's tags against its device's birth; a dead node or device is a problem of its own."""
    findings: list[Finding] = []
    for machine in machines:
        try:
            birth = await plc.birth(machine)
        except ConnectorError as exc:
            findings.append(Finding(machine, Severity.problem, str(exc)))
            continue
        findings += [f for tag in plant.machine(machine).tags.values() for f in _metric_findings(tag, birth)]
    return findings
