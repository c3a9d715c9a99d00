"""The shift handover: what happened, the alerts, the actions taken and those still waiting, the KPIs against
the previous shift and the open work — facts from the records (copilot/reports/kpi.py, the audit log, the queue, the
alerts, the ERP); a model may add a short summary at the top, kept only when it brings no number or id the
facts lack.
"""

from __future__ import annotations

import time
from pathlib import Path

from fpdf import FPDF
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from connectors.erp import ErpClient
from connectors.settings import ConnectorSettings
from copilot.monitor.alerts import Alerts
from copilot.procedures.answer import faithful
from copilot.reports.kpi import compared, gather, lines_of
from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalQueue
from copilot.store.audit import AuditKind, AuditLog


def _when(ts: float) -> str:
    return time.strftime("%H:%M", time.localtime(ts))


async def facts(hours: float, connectors: ConnectorSettings, settings: CopilotSettings) -> str:
    """The report's facts as Markdown, for the last ``hours``."""
    since = time.time() - hours * 3600
    kpis = await gather(hours, connectors, settings)
    before = await gather(hours, connectors, settings, ago=hours)
    alerts = Alerts(settings.state_db)
    shift_alerts = [a for a in alerts.listed(None, limit=10_000) if a.opened_at >= since]
    alerts.close()
    audit = AuditLog.of(settings)
    results = [r for r in audit.records(kind=AuditKind.result, limit=100_000) if r.ts >= since]
    audit.close()
    queue = ApprovalQueue(settings.state_db)
    pending = queue.pending()
    queue.close()
    async with ErpClient.from_settings(connectors) as erp:
        open_work = [o for o in await erp.list_work_orders() if o.is_open]
    lines = [f"# Shift report, {time.strftime('%Y-%m-%d %H:%M')} (the last {hours:g} h)", "", "## Alerts"]
    lines += [f"- {_when(a.opened_at)} {a.machine_id}: {a.cause} - {a.what} ({a.status})" for a in shift_alerts] or \
        ["- none"]
    lines += ["", "## Actions taken"]
    lines += [f"- {_when(r.ts)} {r.tool} by {r.actor}"
              + (f", approved by {', '.join(r.approvers)}" if r.approvers else "")
              for r in reversed(results)] or ["- none"]
    lines += ["", "## Waiting for sign-off"]
    lines += [f"- {a.change} (asked by {a.requester}, {len(a.approvers)}/{a.decision.approvers} approvals)"
              for a in pending] or ["- none"]
    lines += ["", "## Open work orders"]
    lines += [f"- {o.id} {o.machine_id} {o.priority}: {o.title} ({o.status})" for o in open_work] or ["- none"]
    lines += ["", "## Against the previous shift", *[f"- {row.line}" for row in compared(kpis, before)]]
    lines += ["", "## KPIs", *[f"- {line.strip()}" for line in lines_of(kpis)[1:]]]
    return "\n".join(lines)


async def with_summary(text: str, model: BaseChatModel | None) -> str:
    """The facts, with the model's three-sentence summary on top when it keeps to them."""
    if model is None:
        return text
    reply = await model.ainvoke([HumanMessage(
        "Summarise this shift report for the next shift's supervisor in at most three sentences. Use only facts "
        f"from it; keep machine ids and numbers exactly.\n\n{text}")])
    summary = str(reply.content).strip()
    if not faithful(summary, text):
        return text
    title, _, rest = text.partition("\n")
    return f"{title}\n\n{summary}\n{rest}"


def _latin(text: str) -> str:
    """The PDF's core font is Latin-1: arrows and dashes written as text."""
    return text.replace("→", "->").replace("–", "-").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def write_pdf(markdown: str, path: Path) -> Path:
    """Write the report's markdown (``#`` and ``##`` headings, lines of text) to ``path`` as a PDF;
    returns ``path``."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    for line in markdown.splitlines():
        if line.startswith("# "):
            pdf.set_font("Helvetica", "B", 15)
            pdf.multi_cell(0, 8, _latin(line[2:]), new_x="LMARGIN", new_y="NEXT")
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, _latin(line[3:]), new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
