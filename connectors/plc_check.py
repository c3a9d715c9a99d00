"""`plant check` over every PLC the plant file names: each checked in its own protocol, reported on its own.

An OPC UA server is checked node by node (``connectors.plant_check``: data types, access, EURange, units); a
Modbus device by reading every register of its machines; a Sparkplug B edge node against its births: every
tag's metric must be in its machine's DBIRTH, in a datatype that holds the tag's values. The machines that
name no PLC are checked on the settings' PLC in the protocol asked for. A PLC that does not answer is a problem
of its own report, not the end of the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.plant import Plant, Tag
from connectors.plant_check import Finding, Severity, check_plant
from connectors.plant_plc import SETTINGS_PLC, settings_endpoint
from connectors.plc_endpoints import Endpoint, Protocol
from connectors.plc_registry import connector
from connectors.settings import ConnectorSettings
from connectors.sparkplug import DataType

_HOLDS = {"bool": {DataType.Boolean}, "string": {DataType.String, DataType.Text}}
_NUMBERS = {DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64, DataType.UInt8, DataType.UInt16,
            DataType.UInt32, DataType.UInt64, DataType.Float, DataType.Double}


@dataclass(frozen=True)
class PlcReport:
    """One PLC's check: which it is, where, its machines and tags, and what disagrees."""

    name: str
    endpoint: Endpoint
    machines: list[str]
    tags: int
    findings: list[Finding]

    @property
    def problems(self) -> int:
        return sum(f.severity is Severity.problem for f in self.findings)

    def __str__(self) -> str:
        verdict = "ok" if not self.findings else f"{self.problems} problem(s), {len(self.findings) - self.problems} note(s)"
        return (f"PLC {self.name} ({self.endpoint.protocol} {self.endpoint.where}): {len(self.machines)} machine(s), "
                f"{self.tags} tag(s): {verdict}")


def plcs_of(plant: Plant) -> dict[str, list[str]]:
    """PLC name → its machines, in the plant file's order; machines that name none under ``SETTINGS_PLC``."""
    found: dict[str, list[str]] = {}
    for machine in plant.machines:
        found.setdefault(plant.plc_of(machine) or SETTINGS_PLC, []).append(machine)
    return found


async def _opcua(settings: ConnectorSettings, plant: Plant, url: str, machines: list[str]) -> list[Finding]:
    from connectors.opcua_session import close_quietly, open_session

    client = await open_session(settings, url)
    try:
        return await check_plant(client, plant, set(machines))
    finally:
        await close_quietly(client)


def _metric_findings(tag: Tag, birth: dict) -> list[Finding]:
    known = birth.get(tag.mqtt)
    if known is None:
        return [Finding(tag.key, Severity.problem, f"metric {tag.mqtt!r} is not in {tag.machine_id}'s DBIRTH; it "
                                                   f"names: {', '.join(birth) or 'nothing'}")]
    holds = _HOLDS.get(tag.value_type, _NUMBERS)
    if known.datatype not in holds:
        return [Finding(tag.key, Severity.problem, f"metric {tag.mqtt!r} is a {known.datatype.name}; the plant file's "
                                                   f"type {tag.value_type} needs one of "
                                                   f"{', '.join(sorted(d.name for d in holds))}")]
    return []


async def _by_reading(settings: ConnectorSettings, plant: Plant, endpoint: Endpoint,
                      machines: list[str]) -> list[Finding]:
    """A Modbus device or a Sparkplug B edge node: every machine read whole; MQTT metrics against the birth."""
    findings: list[Finding] = []
    async with connector(endpoint.protocol)(settings, plant, endpoint) as plc:
        for machine in machines:
            try:
                if endpoint.protocol is Protocol.mqtt:
                    birth = await plc.birth(machine)
                    findings += [f for t in plant.machine(machine).tags.values() for f in _metric_findings(t, birth)]
                else:
                    await plc.read_many(machine)
            except ConnectorError as exc:
                findings.append(Finding(machine, Severity.problem, str(exc)))
    return findings


async def check_plcs(settings: ConnectorSettings, plant: Plant, protocol: Protocol) -> list[PlcReport]:
    """Every PLC of the plant file checked against its live server; ``protocol`` is the settings' PLC's."""
    reports = []
    for name, machines in plcs_of(plant).items():
        endpoint = plant.plcs[name] if name != SETTINGS_PLC else settings_endpoint(settings, plant, protocol)
        try:
            if endpoint.protocol is Protocol.opcua:
                findings = await _opcua(settings, plant, endpoint.url, machines)
            else:
                findings = await _by_reading(settings, plant, endpoint, machines)
        except ConnectorError as exc:
            findings = [Finding(name, Severity.problem, str(exc))]
        tags = sum(len(plant.machine(m).tags) for m in machines)
        reports.append(PlcReport(name, endpoint, machines, tags, findings))
    return reports
