"""``plant-copilot drift [--days 14] [--window-hours 24]``: the copilot's figures over time, as a table, each
against the threshold the monitor judges it by."""

from __future__ import annotations

import time

import typer

from copilot import configuration
from copilot.governance import DriftFigure, DriftPoint, DriftSources, drift_history
from copilot.monitor import DriftThresholds, MonitorError, drift_thresholds


def drift_command(ctx: typer.Context,
                  days: float = typer.Option(14.0, min=0.01, help="how far back"),
                  window_hours: float = typer.Option(24.0, min=0.01, help="the length of one window")) -> None:
    """The monitor's precision, the twin's error per machine, the chooser's ask-back and refusal rates per window,
    and the eval figures of each release made in the range; `!` marks a figure past its threshold."""
    settings = configuration(ctx).copilot
    try:
        thresholds = drift_thresholds(settings.monitor_file)
    except MonitorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    until = time.time()
    with DriftSources.of(settings) as sources:
        history = drift_history(sources, until - days * 24 * 3600, until, window_hours * 3600)
    if not history.points:
        typer.echo(f"nothing measured in the last {days:g} days: no judged alert, measured twin change, chosen "
                   "request or release")
        return
    typer.echo(f"{'from':<16}  {'figure':<18} {'subject':<22} {'value':>8} {'of':>5}  threshold")
    for point in history.points:
        typer.echo(_row(point, thresholds))


def _row(point: DriftPoint, thresholds: DriftThresholds | None) -> str:
    """One point as a line of the table."""
    bound = thresholds.bound(point.figure) if thresholds else None
    limit = f"{'≥' if bound[1] else '≤'} {_value(point.figure, bound[0])}" if bound else "-"
    mark = "!" if thresholds and thresholds.judges(point) and thresholds.passed(point) else " "
    subject = point.subject + (f" ({point.release})" if point.release else "")
    return (f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(point.at)):<16}  {point.figure:<18} {subject:<22} "
            f"{_value(point.figure, point.value):>8} {point.count:>5}{mark} {limit}")


def _value(figure: DriftFigure, value: float) -> str:
    return f"{value:.1%}" if figure.share else f"{value:g}"
