"""``plant-copilot monitor run | check | alerts | close``: the monitor from a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from contextlib import asynccontextmanager

import typer

from copilot import AlertStatus, AlertVerdict, Configuration, configuration
from copilot.identity import UserDirectory
from copilot.monitor import (
    ACTOR,
    Alerts,
    Check,
    InspectionPass,
    Inspector,
    Monitor,
    MonitorError,
    MonitorSpec,
    Outbox,
    close_alert,
)

app = typer.Typer(help="The monitor: watches the live plant and starts the procedures by itself.",
                  no_args_is_help=True)


@asynccontextmanager
async def _monitor(config: Configuration):
    """The monitor around a copilot without a model: it chooses the procedure and fills its slots itself and
    its answers are the facts in English, so it needs none (and the demo does not load a second one)."""
    from copilot import Copilot
    from copilot.llm import NoModel

    settings = config.copilot
    async with Copilot.open(NoModel(why="the monitor has no model: it runs procedures it chose itself"),
                            settings=settings, connectors=config.connectors, twin=config.twin) as copilot:
        if copilot.procedures is None:
            raise MonitorError("the monitor runs the procedures: set COPILOT_PROCEDURES=true")
        spec = MonitorSpec.load(settings.monitor_file, copilot.plant, copilot.procedures)
        alerts, outbox = Alerts(settings.state_db), Outbox(settings.state_db, settings.monitor_webhook_url)
        try:
            yield Monitor(copilot, spec, alerts, UserDirectory.load(settings.users_file).get(ACTOR), outbox)
        finally:
            outbox.close()
            alerts.close()


@app.command()
def run(ctx: typer.Context) -> None:
    """Check the plant every interval, and a machine's line when its PLC pushes a change, until stopped (Ctrl-C or
    SIGTERM); print the alerts each pass opens and clears."""
    config = configuration(ctx)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo("monitor: starting")
        async with _monitor(config) as monitor:
            typer.echo(f"monitor: {len(monitor.spec.detections)} detections every {monitor.spec.interval_s:g} s")
            await asyncio.gather(monitor.run(stop, told=_said), monitor.outbox.run(stop))

    asyncio.run(main())


@app.command()
def check(ctx: typer.Context) -> None:
    """One check now: print the alerts it opened and cleared."""
    config = configuration(ctx)

    async def main() -> None:
        async with _monitor(config) as monitor:
            _said(await monitor.check())

    asyncio.run(main())


def _said(done: Check) -> None:
    """The alerts one pass opened and cleared, and the machines whose history it could not read."""
    for alert in done.opened:
        typer.secho(f"opened  {alert.alert_id}  {alert.machine_id}  {alert.cause}: {alert.what}", fg="yellow")
    for alert in done.cleared:
        typer.secho(f"cleared {alert.alert_id}  {alert.machine_id}  {alert.cause}", fg="green")
    for machine in sorted(set(done.unreadable)):
        typer.secho(f"unreadable history: {machine}", fg="red")


def _told(done: InspectionPass) -> None:
    for i in done.recorded:
        classes = ", ".join(f"{n} {name}" for name, n in i.defects_by_class.items()) or "no defects"
        typer.echo(f"inspector: {i.id} {i.machine_id} lot {i.material_lot or '-'}: {i.defects}/{i.inspected} "
                   f"defective ({classes})")
    for problem in done.unreadable + done.unreachable:
        typer.secho(f"inspector: {problem}", fg="red", err=True)


@app.command()
def inspect(ctx: typer.Context,
            every: float = typer.Option(10.0, min=1.0, help="seconds between two passes"),
            passes: int = typer.Option(0, min=0, help="stop after this many passes (0: until Ctrl-C or SIGTERM)")
            ) -> None:
    """Classify each new picture of the in-line cameras and record the results in the MES (per machine and lot);
    the first pass marks where it starts."""
    config = configuration(ctx)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with Inspector.open(config.connectors) as inspector:
            typer.echo(f"inspector: cameras at {config.connectors.camera_url}, a pass every {every:g} s")
            done = 0
            while not stop.is_set() and (passes == 0 or done < passes):
                _told(await inspector.check())
                done += 1
                if passes == 0 or done < passes:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=every)

    asyncio.run(main())


@app.command("alerts")
def list_alerts(ctx: typer.Context,
                all_: bool = typer.Option(False, "--all", help="closed and cleared ones too")) -> None:
    """The open alerts (newest first)."""
    store = Alerts(configuration(ctx).copilot.state_db)
    for alert in store.listed(None if all_ else AlertStatus.open):
        typer.echo(f"{alert.alert_id}  {alert.status:<7} {alert.machine_id:<7} {alert.cause}: {alert.what}")
    store.close()


@app.command("close")
def close_(ctx: typer.Context, alert_id: str,
           user: str = typer.Option(..., "--user", help="who closes it (password asked for)"),
           note: str = typer.Option(..., "--note", help="what was found or done"),
           false_alarm: bool = typer.Option(False, "--false-alarm", help="nothing was wrong")) -> None:
    """Close an alert with a note: a person judged it (fixed, or a false alarm)."""
    from copilot import AuditLog
    from ui.commands.chat import signed_in

    settings = configuration(ctx).copilot
    who = signed_in(settings, user)
    store, audit = Alerts(settings.state_db), AuditLog.of(settings)
    try:
        verdict = AlertVerdict.false_alarm if false_alarm else AlertVerdict.confirmed
        alert = close_alert(store, audit, alert_id, who.username, note, verdict)
    except (LookupError, ValueError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
        audit.close()
    typer.echo(f"{alert.alert_id}: closed by {who.username}")
