"""What the copilot tells about the plant: KPIs, the shift report and the live overview."""

from copilot.exports import exports

_NAMES = {
    "DefectTally": "copilot.reports.camera_findings",
    "camera_defects": "copilot.reports.camera_findings",
    "HeldLot": "copilot.reports.held_lots",
    "lots_on_hold": "copilot.reports.held_lots",
    "PlantKpis": "copilot.reports.kpi",
    "gather": "copilot.reports.kpi",
    "lines_of": "copilot.reports.kpi",
    "facts": "copilot.reports.shift_report",
    "with_summary": "copilot.reports.shift_report",
    "write_pdf": "copilot.reports.shift_report",
    "MachineNow": "copilot.reports.plant_view",
    "PlantError": "copilot.reports.plant_view",
    "PlantView": "copilot.reports.plant_view",
}

__all__ = sorted(_NAMES)
__getattr__, __dir__ = exports(__name__, _NAMES)
