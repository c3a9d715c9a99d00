"""``plant-copilot kpi [--hours 8]``: the plant's KPIs over the last hours, from its own records."""

from __future__ import annotations

import asyncio

import typer

from connectors.errors import ConnectorError
from copilot.kpi import PlantKpis, gather


def lines_of(k: PlantKpis) -> list[str]:
    lines = [f"KPIs over the last {k.hours:g} h"]
    for a in k.machines:
        mtbf = f"{a.mtbf_h:.1f} h" if a.mtbf_h is not None else "-"
        lines.append(f"  {a.machine_id:<7} running {a.running_h:5.1f} h, unplanned downtime {a.down_h:4.1f} h, "
                     f"{a.failures} failures, MTBF {mtbf}")
    for line in k.lines:
        fpy = f"{line.first_pass_yield:.1%}" if line.first_pass_yield is not None else "-"
        lines.append(f"  line {line.line_id}: first-pass yield {fpy}, {line.good} good, {line.rejects} rejected")
    lines.append(f"  work orders: {k.orders_opened} opened, {k.orders_done} done; "
                 f"MTTR {f'{k.mttr_h:.1f} h' if k.mttr_h is not None else '-'}")
    lines.append(f"  stock: {len(k.stock.stockouts)} stockouts {k.stock.stockouts or ''}, {len(k.stock.below_reorder)} "
                 "parts at or below their reorder point")
    a = k.actions
    wait = f"{a.waiting_h_median * 60:.0f} min" if a.waiting_h_median is not None else "-"
    lines.append(f"  actions: proposed {a.proposed.get('people', 0)} by people, {a.proposed.get('monitor', 0)} by the "
                 f"monitor; {a.approved} approvals, {a.rejected} rejections, {a.executed} executed; median wait for "
                 f"sign-off {wait}")
    m = k.monitor
    lines.append(f"  monitor: {m.raised} alerts, {m.cleared_by_itself} cleared by themselves, "
                 f"{m.closed_by_people} closed by people")
    return lines


def kpi_command(hours: float = typer.Option(8.0, min=0.1, help="how far back")) -> None:
    """Unplanned downtime, MTBF, MTTR, first-pass yield per line, stockouts, the copilot's and the monitor's
    actions and the wait for sign-off, over the last hours."""
    try:
        for line in lines_of(asyncio.run(gather(hours))):
            typer.echo(line)
    except ConnectorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
