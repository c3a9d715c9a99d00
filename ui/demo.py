"""``plant-copilot demo``: the simulated plant, the manuals and the app, started together, stopped together.

The simulator runs as a child on the configured ports (``PLANT_*``, by default the
well-known ones the other commands use), the manuals are ingested once, and
``streamlit run ui/app.py`` runs headless on loopback with the plant's addresses in its
environment. Ctrl-C stops the app and the simulator; so does the death of this process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import typer

from connectors.settings import ConnectorSettings
from copilot import Configuration
from copilot.identity import UserDirectory
from knowledge.open import open_store
from knowledge.settings import KnowledgeSettings
from simulator.process import (
    REPO,
    SimulatorDidNotStart,
    running_simulator,
    settings_env,
)
from ui.served_processes import ServerDidNotStart, answers, running_child

APP = REPO / "ui" / "app.py"
START_TIMEOUT_S = 60.0


def ingest_if_empty(settings: KnowledgeSettings) -> None:
    """Ingest the site's manuals into an empty store, one line per file (seconds per manual on a CPU)."""
    folder = settings.manuals
    store = open_store(settings)
    if store.chunk_count():
        typer.echo(f"manuals: {store.chunk_count()} passages in {store.where}")
        return
    typer.echo(f"manuals: ingesting {folder} into {store.where} …")
    report = store.ingest(folder, on_file=lambda r: typer.echo(f"  {r.status:>9}  {r.path.name}  {r.chunks} chunks"))
    typer.echo("manuals: " + report.summary())


def streamlit_command(port: int) -> list[str]:
    """The command line that serves the app headless on loopback at ``port``."""
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]


@contextlib.contextmanager
def running_app(port: int, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """The app until the block ends, once its health endpoint answers; ServerDidNotStart with its log otherwise."""
    with running_child(streamlit_command(port), log, lambda: answers(f"http://127.0.0.1:{port}/_stcore/health"),
                       START_TIMEOUT_S, env=env, cwd=REPO) as app:
        yield app


@contextlib.contextmanager
def running_monitor(env: dict[str, str], log: Path, command: str = "run") -> Iterator[subprocess.Popen]:
    """``plant-copilot monitor run`` (or ``inspect``, the cameras' inspector) beside the app, on the same plant
    and data folder, until the block ends."""
    with running_child([sys.executable, "-m", "ui.cli", "monitor", command], log, lambda: True, START_TIMEOUT_S,
                       env=env | {"PYTHONUNBUFFERED": "1"}, cwd=REPO) as monitor:
        yield monitor


def announce(config: Configuration, port: int, sim: ConnectorSettings) -> None:
    """Print where the app and the plant's services are, the model, and the demo users to sign in as."""
    typer.secho(f"\nPlant Copilot is running: http://127.0.0.1:{port}", fg="green", bold=True)
    typer.echo(f"  plant: Modbus {sim.host}:{sim.modbus_port}, OPC UA {sim.opcua_url}, ERP {sim.erp_url}, "
               f"MES {sim.mes_url}, PLM {sim.plm_url}, simulator control {sim.sim_url}, cameras {sim.camera_url}")
    typer.echo(f"  model: {config.llm.provider} (COPILOT_PROVIDER); it loads when the first page needs it")
    typer.echo("  sign in as (user / password / role):")
    for user in UserDirectory.load(config.copilot.users_file).people():
        typer.echo(f"    {user.username:<6} {user.username}-demo   {user.role.value}")
    typer.echo("Stop with Ctrl+C.")


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the demo even when it was started with SIGINT ignored (a background job of a
    script inherits that, and Python then never raises KeyboardInterrupt)."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def run_demo(config: Configuration, port: int, time_scale: float, work: Path | str) -> None:
    """Run the simulator, the monitor, the inspector and the app (logs under ``work``) until Ctrl-C or the app stops;
    typer.Exit(1) when a part does not start."""
    work = Path(work)
    stop_on_signals()
    sim_at = config.connectors
    try:
        with running_simulator(work / "sim", time_scale=time_scale, plant_file=sim_at.plant_file, at=sim_at) as sim:
            typer.echo(f"simulator: running (time scale {time_scale:g}, log {work / 'sim' / 'simulator.log'})")
            ingest_if_empty(config.knowledge)
            env = dict(os.environ) | settings_env(sim)
            with (running_monitor(env, work / "monitor.log"), running_monitor(env, work / "inspector.log", "inspect"),
                  running_app(port, env, work / "app.log") as app):
                typer.echo(f"monitor: watching the plant (log {work / 'monitor.log'}); inspector: recording what the "
                           f"cameras see in the MES (log {work / 'inspector.log'})")
                announce(config, port, sim)
                while app.poll() is None:
                    time.sleep(0.5)
                typer.secho(f"the app stopped (code {app.returncode}); see {work / 'app.log'}", fg="red", err=True)
    except KeyboardInterrupt:
        typer.echo("\nstopped")
    except (SimulatorDidNotStart, ServerDidNotStart) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
