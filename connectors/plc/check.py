"""`plant check` over every PLC the plant file names: each checked by its protocol's plugin, reported on its own.

An OPC UA server is checked node by node (data types, access, EURange, units); a Modbus device by reading every
register of its machines; a Sparkplug B edge node against its births — each plugin says how. The machines that
name no PLC are checked on the settings' PLC in the protocol asked for. A PLC that does not answer is a problem
of its own report, not the end of the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import ConnectorError
from connectors.plant import Plant, PlcEndpoint
from connectors.plc.findings import Finding, Severity
from connectors.plc.plant_plc import SETTINGS_PLC, settings_endpoint
from connectors.plc.registry import plugin
from connectors.settings import ConnectorSettings


@dataclass(frozen=True)
class PlcReport:
    """One PLC's check: which it is, where, its machines and tags, and what disagrees."""

    name: str
    endpoint: PlcEndpoint
    machines: list[str]
    tags: int
    findings: list[Finding]

    @property
    def problems(self) -> int:
        return sum(f.severity is Severity.problem for f in self.findings)

    def __str__(self) -> str:
        notes = len(self.findings) - self.problems
        verdict = "ok" if not self.findings else f"{self.problems} problem(s), {notes} note(s)"
        return (f"PLC {self.name} ({self.endpoint.protocol} {self.endpoint.where}): {len(self.machines)} machine(s), "
                f"{self.tags} tag(s): {verdict}")


def plcs_of(plant: Plant) -> dict[str, list[str]]:
    """PLC name → its machines, in the plant file's order; machines that name none under ``SETTINGS_PLC``."""
    found: dict[str, list[str]] = {}
    for machine in plant.machines:
        found.setdefault(plant.plc_of(machine) or SETTINGS_PLC, []).append(machine)
    return found


async def check_plcs(settings: ConnectorSettings, plant: Plant, protocol: str) -> list[PlcReport]:
    """Every PLC of the plant file checked against its live server; ``protocol`` is the settings' PLC's."""
    reports = []
    for name, machines in plcs_of(plant).items():
        endpoint = plant.plcs[name] if name != SETTINGS_PLC else settings_endpoint(settings, plant, protocol)
        try:
            findings = await plugin(endpoint.protocol).check(settings, plant, endpoint, machines)
        except ConnectorError as exc:
            findings = [Finding(name, Severity.problem, str(exc))]
        tags = sum(len(plant.machine(m).tags) for m in machines)
        reports.append(PlcReport(name, endpoint, machines, tags, findings))
    return reports
