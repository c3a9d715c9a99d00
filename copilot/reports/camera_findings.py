"""What the in-line cameras found: the inspector's MES records added up per machine and material lot."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from connectors.mes import MesClient
from connectors.records import QualityReport
from connectors.settings import ConnectorSettings
from copilot.monitor.inspector import INSPECTOR

__all__ = ["DefectTally", "camera_defects", "tally"]


@dataclass(frozen=True)
class DefectTally:
    """The camera inspections of one machine and material lot over a window: parts seen, defects by class."""

    machine_id: str
    line_id: str
    material_lot: str
    inspected: int
    by_class: dict[str, int]

    @property
    def defects(self) -> int:
        return sum(self.by_class.values())

    @property
    def defect_rate(self) -> float:
        """Share of the inspected parts with a defect, 0..1."""
        return self.defects / self.inspected if self.inspected else 0.0


def tally(report: QualityReport) -> list[DefectTally]:
    """The inspector's records of ``report`` added up per machine and lot, in the report's machine order."""
    seen: dict[tuple[str, str, str], tuple[int, Counter[str]]] = {}
    for machine in report.machines:
        for i in machine.inspections:
            if i.requested_by != INSPECTOR:
                continue
            inspected, classes = seen.get((i.machine_id, i.line_id, i.material_lot), (0, Counter()))
            seen[i.machine_id, i.line_id, i.material_lot] = (inspected + i.inspected,
                                                              classes + Counter(i.defects_by_class))
    return [DefectTally(machine_id, line_id, lot, inspected, dict(sorted(classes.items())))
            for (machine_id, line_id, lot), (inspected, classes) in seen.items()]


async def camera_defects(hours: float, connectors: ConnectorSettings) -> list[DefectTally]:
    """What the cameras found over the last ``hours``, per machine and lot, from the MES."""
    async with MesClient.from_settings(connectors) as mes:
        return tally(await mes.quality(since_minutes=min(hours, 7 * 24) * 60.0))
