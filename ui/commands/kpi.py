"""``plant-copilot kpi [--hours 8]`` and ``plant-copilot report shift``: the plant's KPIs over the last hours,
and the shift handover, from its own records."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import typer

from connectors.errors import ConnectorError
from copilot import configuration
from copilot.reports import gather, lines_of


def kpi_command(ctx: typer.Context, hours: float = typer.Option(8.0, min=0.1, help="how far back")) -> None:
    """Unplanned downtime, MTBF, MTTR, first-pass yield per line, OEE per line and machine with its three factors,
    stockouts, the copilot's and the monitor's actions and the wait for sign-off, over the last hours."""
    config = configuration(ctx)
    try:
        for line in lines_of(asyncio.run(gather(hours, config.connectors, config.copilot))):
            typer.echo(line)
    except ConnectorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def shift_report_command(ctx: typer.Context,
                         hours: float = typer.Option(8.0, min=0.1, help="the shift's length"),
                         out: Path = typer.Option(Path("var/reports"), help="folder for the Markdown and the PDF"),
                         summary: bool = typer.Option(True, help="a short summary by the model on top")) -> None:
    """The shift handover as Markdown and PDF: alerts, actions taken and waiting, open work orders, KPIs."""
    from copilot.reports import facts, with_summary, write_pdf

    config = configuration(ctx)

    async def build() -> str:
        text = await facts(hours, config.connectors, config.copilot)
        if not summary:
            return text
        from copilot.llm import make_chat_model

        return await with_summary(text, make_chat_model(config.llm))

    try:
        text = asyncio.run(build())
    except ConnectorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"shift-{time.strftime('%Y-%m-%dT%H%M')}"
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    write_pdf(text, stem.with_suffix(".pdf"))
    typer.echo(f"{stem}.md\n{stem}.pdf")
