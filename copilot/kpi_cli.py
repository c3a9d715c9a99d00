"""``plant-copilot kpi [--hours 8]``: the plant's KPIs over the last hours, from its own records."""

from __future__ import annotations

import asyncio
import time

import typer

from connectors.erp import ErpClient
from connectors.errors import ConnectorError
from connectors.mes import MesClient
from connectors.settings import ConnectorSettings
from copilot import kpi
from copilot.approvals import ApprovalQueue
from copilot.audit import AuditLog
from copilot.monitor.alerts import Alerts
from copilot.monitor.watch import ACTOR
from copilot.settings import CopilotSettings


def _code(enum: dict[int, str] | None, name: str) -> int | None:
    return next((k for k, v in (enum or {}).items() if v == name), None)


async def _report(hours: float) -> list[str]:
    connectors, settings = ConnectorSettings(), CopilotSettings()
    plant = connectors.load_plant()
    lines = [f"KPIs over the last {hours:g} h"]
    async with MesClient.from_settings(connectors) as mes, ErpClient.from_settings(connectors) as erp:
        for machine in plant.machines.values():
            state = machine.tags.get("state")
            if state is None:
                continue
            samples = await mes.history(machine.id, "state", hours * 60)
            a = kpi.availability(machine.id, samples, running=_code(state.enum, "running"),
                                 faulted=_code(state.enum, "faulted"))
            mtbf = f"{a.mtbf_h:.1f} h" if a.mtbf_h is not None else "-"
            lines.append(f"  {machine.id:<7} running {a.running_h:5.1f} h, unplanned downtime {a.down_h:4.1f} h, "
                         f"{a.failures} failures, MTBF {mtbf}")
        for line in kpi.quality_by_line((await mes.quality(since_minutes=hours * 60)).machines):
            fpy = f"{line.first_pass_yield:.1%}" if line.first_pass_yield is not None else "-"
            lines.append(f"  line {line.line_id}: first-pass yield {fpy}, {line.good} good, {line.rejects} rejected")
        orders = await erp.list_work_orders()
        mttr = kpi.mttr_h(orders)
        since = time.time() - hours * 3600
        opened = [o for o in orders if o.created_at.timestamp() >= since]
        lines.append(f"  work orders: {len(opened)} opened, {sum(o.status == 'done' for o in opened)} done; "
                     f"MTTR {f'{mttr:.1f} h' if mttr is not None else '-'}")
        s = kpi.stock(await erp.inventory())
        lines.append(f"  stock: {len(s.stockouts)} stockouts {s.stockouts or ''}, {len(s.below_reorder)} parts at or "
                     f"below their reorder point")
    audit = AuditLog.of(settings)
    records = [(str(r.kind), r.actor) for r in audit.records(limit=100_000) if r.ts >= since]
    audit.close()
    queue = ApprovalQueue(settings.state_db)
    waits = [a.decided_at - a.created_at for a in queue.decided(limit=10_000) if a.decided_at and a.created_at >= since]
    queue.close()
    acts = kpi.actions(records, waits, monitor=ACTOR)
    wait = f"{acts.waiting_h_median * 60:.0f} min" if acts.waiting_h_median is not None else "-"
    lines.append(f"  actions: proposed {acts.proposed.get('people', 0)} by people, {acts.proposed.get('monitor', 0)} "
                 f"by the monitor; {acts.approved} approvals, {acts.rejected} rejections, {acts.executed} executed; "
                 f"median wait for sign-off {wait}")
    alerts = Alerts(settings.state_db)
    health = kpi.monitor_health([str(a.status) for a in alerts.listed(None, limit=10_000) if a.opened_at >= since])
    alerts.close()
    lines.append(f"  monitor: {health.raised} alerts, {health.cleared_by_itself} cleared by themselves, "
                 f"{health.closed_by_people} closed by people")
    return lines


def kpi_command(hours: float = typer.Option(8.0, min=0.1, help="how far back")) -> None:
    """Unplanned downtime, MTBF, MTTR, first-pass yield per line, stockouts, the copilot's and the monitor's
    actions and the wait for sign-off, over the last hours."""
    try:
        for line in asyncio.run(_report(hours)):
            typer.echo(line)
    except ConnectorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
