"""quality_report: defects and inspections per machine on a line, from the MES."""

from __future__ import annotations

import math

from pydantic import Field

from connectors.records import QualityReport
from policies.model import Risk
from tools.base import Call, ToolArgs, as_json, tool
from tools.deps import Deps, System
from tools.lines import shown, spaced


class QualityReportArgs(ToolArgs):
    """Which machines to report on (a line, a machine, or all) and how far back."""

    line_id: str | None = Field(default=None, description="line id, e.g. L1")
    machine_id: str | None = Field(default=None, description="machine id, e.g. IM-103")
    minutes: float = Field(default=60, gt=0, le=7 * 24 * 60, description="how far back to look")


def _line(report: QualityReport) -> str:
    """Per machine its defect rate and counters, and its last two inspections."""
    lines = []
    for m in report.machines:
        rate = f"defect rate {m.defect_rate:g} %" if isinstance(m.defect_rate, (int, float)) else "no defect rate"
        counts = [f"{n} {what}" for n, what in ((m.good_count, "good"), (m.reject_count, "rejected")) if n is not None]
        lines.append(f"{m.machine_id}: {', '.join([rate, *counts])}")
        lines += [f"inspection {i.defects}/{i.inspected} {i.defect_type}".rstrip() for i in m.inspections[-2:]]
    return "quality: " + "; ".join(lines) if lines else "quality: " + as_json(report, 300)


def _said(report: QualityReport) -> str:
    """As a person reads it: the machines from the highest defect rate down, the highest named first when there
    are several; each with its counters and last inspections."""
    ranked = sorted(report.machines, key=lambda m: -m.defect_rate if isinstance(m.defect_rate, (int, float))
                    else math.inf)
    lines = []
    for m in ranked:
        rate = f"defect rate {shown(m.defect_rate, '%')}" if isinstance(m.defect_rate, (int, float)) \
            else "no defect rate"
        counts = [f"{n} {what}" for n, what in ((m.good_count, "good"), (m.reject_count, "rejected")) if n is not None]
        lines.append(f"{m.machine_id}: {', '.join([rate, *counts])}")
        lines += [f"inspection of {m.machine_id}: {i.defects} of {i.inspected} defective {spaced(i.defect_type)}"
                  .rstrip() for i in m.inspections[-2:]]
    rated = [m for m in ranked if isinstance(m.defect_rate, (int, float))]
    head = (f"highest defect rate: {rated[0].machine_id} ({shown(rated[0].defect_rate, '%')}); "
            if len(rated) > 1 else "")
    return f"quality: {head}" + "; ".join(lines) if lines else "quality: no machine reported"


@tool(args=QualityReportArgs, risk=Risk.read, result=QualityReport, line=_line, said=_said, order=40,
      systems=(System.mes,))
async def quality_report(deps: Deps, args: QualityReportArgs, call: Call):
    """Quality per machine from the MES: good and rejected counts, defect rate, and recent inspection
    records. Give a line or a machine; use it when an operator reports scrap or defects."""
    if args.machine_id:
        deps.plant.machine(args.machine_id)
    return await deps.mes.quality(line=args.line_id, machine_id=args.machine_id, since_minutes=args.minutes)
