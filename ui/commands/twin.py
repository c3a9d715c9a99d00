"""``plant-copilot twin fit | predict``: fit the twin from the historian, dry-run a change from a terminal.

Addresses come from the environment (``PLANT_*``, see ``connectors.settings``), the twin file from
``PLANT_TWIN_FILE`` (default: the site folder's ``twin.yaml``): the configuration the ``plant-copilot`` callback
(ui/cli.py) read once, taken from the command's context.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from connectors.errors import ConnectorError
from connectors.historian import open_history
from connectors.plc import Protocol, open_plc
from connectors.settings import ConnectorSettings
from twin.errors import TwinError
from twin.file import load_twin, save_twin
from twin.fit import fit_twin
from twin.model import Reason, RunModel, SetpointModel, Twin
from twin.predict import DryRun
from twin.predict import predict as dry_run
from twin.settings import TwinSettings
from twin.sources import live_values, read_history
from twin.steps import MIN_HOLD_S

app = typer.Typer(help="The digital twin: models fitted from the historian; dry runs of a change.",
                  no_args_is_help=True)

FileOption = Annotated[Path | None, typer.Option("--file", help="the twin file (default: $PLANT_TWIN_FILE or "
                                                                 "the site folder's twin.yaml)")]


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg="red", err=True)
    return typer.Exit(1)


def _model_line(m: SetpointModel | RunModel) -> str:
    if isinstance(m, SetpointModel):
        static = f"gain {m.gain:+.4g}/unit at {m.around:g}" + (f", curve {m.curvature:+.3g}" if m.curvature else "")
        what = m.input
    else:
        static = f"settles at {m.level:.4g}"
        what = f"{m.input} {m.change.value}"
    dynamics = f"tau {m.tau_s:.4g} s" + (f", tau2 {m.tau2_s:.4g} s, lead {m.lead_s:.4g} s" if m.tau2_s or m.lead_s
                                           else "")
    return (f"{m.machine:<8}{what:<24}{m.reading:<20}{m.structure.value:<13}{static:<36}{dynamics:<40}"
            f"dead {m.dead_time_s:5.1f} s  error {m.rmse_pct:5.2f} % of range  ({m.steps} changes)")


def show_fit(twin: Twin) -> None:
    """Print each fitted model as a line, then what was not fitted and why."""
    for model in twin.models:
        typer.echo(_model_line(model))
    inputs = [n for n in twin.not_fitted if n.reading is None]
    for n in inputs:
        typer.secho(f"{n.machine:<8}{n.input + ' ' + n.change.value:<24}not fitted: {n.detail}", fg="yellow")
    silent = [n for n in twin.not_fitted if n.reason is Reason.no_response]
    if silent:
        typer.echo(f"{len(silent)} pairs do not respond (the fit explains too little of them): "
                   + ", ".join(f"{n.machine}.{n.input}->{n.reading}" for n in silent))


@app.command()
def fit(
    ctx: typer.Context,
    hours: Annotated[float, typer.Option(min=0.1, help="how much of the historian to read, back from now")] = 24.0,
    machine: Annotated[list[str] | None, typer.Option("--machine", "-m", help="only these machines (repeat)")] = None,
    min_hold_minutes: Annotated[float, typer.Option(min=0.5, help="a change must hold this long to be fitted")]
    = MIN_HOLD_S / 60.0,
    file: FileOption = None,
) -> None:
    """Find the setpoint changes, starts and stops in the history, fit the models, print them and write the file."""
    settings: ConnectorSettings = ctx.obj.connectors
    plant = settings.load_plant()
    twin_settings: TwinSettings = ctx.obj.twin
    path = file or twin_settings.file

    async def read() -> dict:
        async with open_history(settings, plant) as source:
            return await read_history(source, plant, hours, machine), source.where

    try:
        history, where = asyncio.run(read())
    except ConnectorError as exc:
        raise _fail(str(exc)) from None
    twin = fit_twin(plant, history, source=where, min_hold_s=min_hold_minutes * 60.0)
    show_fit(twin)
    save_twin(twin, path)
    typer.secho(f"{len(twin.models)} models from {hours:g} h of history written to {path}",
                fg="green" if twin.models else "yellow")


def show_dry_run(run: DryRun) -> None:
    """Print a dry run: the change, and per reading its course, when it settles and the alarms it passes."""
    typer.echo(f"{run.machine}.{run.tag}: {run.old:g} -> {run.new:g} ({run.change.value}), "
               f"predicted over {run.minutes:g} min from the live values")
    if not run.modelled:
        typer.secho(f"no prediction: {run.why}", fg="yellow")
        return
    marks = [run.minutes * f for f in (0, 0.25, 0.5, 0.75, 1)]
    typer.echo(f"  {'reading':<20}{'now':>10}{'final':>10}  settles       " + "".join(f"{m:>9.0f}'" for m in marks))
    for t in run.trajectories:
        settle = f"in {t.settle_s / 60:5.1f} min" if t.settle_s is not None else "not within"
        path = "".join(f"{v:>10.4g}" for v in t.at([m * 60 for m in marks]))
        typer.echo(f"  {t.reading:<20}{t.start:>10.4g}{t.final:>10.4g}  {settle:<13}{path}  {t.unit}")
    for a in run.alarms:
        when = "already past it now" if a.already else f"at minute {a.minute:g}"
        typer.secho(f"  ALARM {a.reading} passes its {a.limit.value} limit {a.value:g} {when}", fg="red")
    if run.unaffected:
        typer.echo(f"  does not move: {', '.join(run.unaffected)}")
    if run.unknown:
        typer.echo(f"  not predicted: {', '.join(run.unknown)}")


@app.command()
def predict(
    ctx: typer.Context,
    machine: Annotated[str, typer.Argument(help="machine id, e.g. OV-201")],
    tag: Annotated[str, typer.Argument(help="a setpoint, or run (1 starts, 0 stops)")],
    value: Annotated[float, typer.Argument(help="the new value")],
    minutes: Annotated[float, typer.Option(min=1.0, help="how far ahead")] = 30.0,
    protocol: Annotated[Protocol, typer.Option(help="how to read the live values")] = Protocol.opcua,
    file: FileOption = None,
) -> None:
    """Dry-run a change from the live readings: each affected reading's course, when it settles, the alarms it
    passes."""
    settings: ConnectorSettings = ctx.obj.connectors
    plant = settings.load_plant()
    twin_settings: TwinSettings = ctx.obj.twin
    twin = load_twin(file or twin_settings.file, plant)

    async def read() -> dict[str, float]:
        async with open_plc(settings, plant, protocol) as plc:
            return await live_values(plc, plant.machine(machine).id)

    try:
        live = asyncio.run(read())
        show_dry_run(dry_run(twin, machine, tag, value, live, minutes))
    except (ConnectorError, TwinError) as exc:
        raise _fail(str(exc)) from None
