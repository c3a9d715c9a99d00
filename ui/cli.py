"""The ``plant-copilot`` command: one entry point that gathers each layer's commands."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import psycopg
import typer

from connectors.plant import PlantFileError
from copilot import Configuration, ConfigurationError, DatabaseError, configuration
from copilot.governance import ReleaseError, ReleaseRefused
from copilot.identity import PasswordTooLong, UsersFileError
from copilot.monitor import MonitorError
from copilot.procedures import ProcedureError
from policies.rules import PolicyError
from twin.errors import TwinFileError
from ui.commands.alerts import app as alerts_app
from ui.commands.audit import app as audit_app
from ui.commands.chat import approvals_app, ask
from ui.commands.drift import drift_command
from ui.commands.evals import app as eval_app
from ui.commands.forms import app as forms_app
from ui.commands.kpi import kpi_command, shift_report_command
from ui.commands.manuals import app as manuals_app
from ui.commands.manuals import ingest as ingest_manuals
from ui.commands.mcp import app as mcp_app
from ui.commands.model import app as model_app
from ui.commands.monitor import app as monitor_app
from ui.commands.plant import opcua_app, plant_app
from ui.commands.read import read
from ui.commands.release import app as release_app
from ui.commands.sim import app as sim_app
from ui.commands.site import init
from ui.commands.twin import app as twin_app

# each names its file and field (or variable); a configuration that is not the promoted release names its files
CONFIG_ERRORS = (PlantFileError, PolicyError, ProcedureError, UsersFileError, MonitorError, TwinFileError,
                 ConfigurationError, ReleaseError, ReleaseRefused)

# what a place or a value outside the files refuses: a folder or key file that cannot be made, a database that does
# not answer or lacks a table, a password bcrypt cannot take; each told in one line
RUN_ERRORS = (DatabaseError, PasswordTooLong, OSError, sqlite3.Error, psycopg.Error)

app = typer.Typer(help="Plant Copilot: an agentic copilot for factories.", no_args_is_help=True)


@app.callback()
def _configure(ctx: typer.Context, plant_dir: Annotated[Path | None, typer.Option(
        "--plant-dir", help="the site folder: plant.yaml, users.yaml, twin.yaml, manuals/ (default: $PLANT_DIR, "
                            "else the demo plant)")] = None,
               unreleased: Annotated[bool, typer.Option(
                   "--unreleased", help="run a configuration that is not the promoted release, its audit records "
                                        "marked unreleased (COPILOT_UNRELEASED=1)")] = False) -> None:
    if unreleased:
        os.environ["COPILOT_UNRELEASED"] = "1"  # the app, monitor and MCP children too
    if plant_dir is not None:
        if not plant_dir.is_dir():
            typer.secho(f"error: --plant-dir {plant_dir}: no such folder (`plant-copilot init` makes one)",
                        fg="red", err=True)
            raise typer.Exit(2)
        os.environ["PLANT_DIR"] = str(plant_dir.resolve())  # the simulator, app and monitor children too
    # asyncua's own log would repeat, with tracebacks, what the connectors' typed errors say in one line
    logging.getLogger("asyncua").setLevel(logging.CRITICAL + 1)
    logging.getLogger("psycopg.pool").setLevel(logging.CRITICAL + 1)  # its retries, before the one-line refusal
    # the one read of the environment per invocation; every command takes the configuration from the context
    ctx.obj = Configuration.from_environment()


app.add_typer(sim_app, name="sim")
app.add_typer(approvals_app, name="approvals")
app.add_typer(audit_app, name="audit")
app.add_typer(model_app, name="model")
app.add_typer(eval_app, name="eval")
app.add_typer(manuals_app, name="manuals")
app.add_typer(monitor_app, name="monitor")
app.add_typer(alerts_app, name="alerts")
app.add_typer(mcp_app, name="mcp")
app.add_typer(twin_app, name="twin")
app.add_typer(opcua_app, name="opcua")
app.add_typer(plant_app, name="plant")
app.add_typer(release_app, name="release")
app.add_typer(forms_app, name="form")
app.command("ingest")(ingest_manuals)
app.command("init")(init)
app.command()(ask)
app.command("kpi")(kpi_command)
app.command("drift")(drift_command)
app.command("read")(read)
report_app = typer.Typer(help="Reports from the plant's records.", no_args_is_help=True)
report_app.command("shift")(shift_report_command)
app.add_typer(report_app, name="report")


@app.command()
def demo(
    ctx: typer.Context,
    port: int = typer.Option(8501, help="the app's port on 127.0.0.1"),
    time_scale: float = typer.Option(1.0, min=0.0, help="simulated seconds per wall second"),
    work: str = typer.Option("", help="the simulator's data and the logs (default: var/demo/SITE)"),
) -> None:
    """Start the simulated plant, ingest the manuals if needed, and serve the app; Ctrl-C stops everything."""
    from ui.demo import run_demo

    config = configuration(ctx)
    run_demo(config, port, time_scale, work or Path("var/demo") / config.connectors.plant_file.parent.name)


@app.command("scale-out")
def scale_out(
    ctx: typer.Context,
    replicas: int = typer.Option(2, min=1, max=8, help="app replicas, on consecutive ports from --port"),
    port: int = typer.Option(8501, help="the first replica's port on 127.0.0.1"),
    mcp_port: int = typer.Option(8765, help="the MCP server's port on 127.0.0.1"),
    serve_model: bool = typer.Option(False, help="serve the local model once (llama_cpp.server) for every process"),
    work: str = typer.Option("var/scale-out", help="the servers' data and the logs"),
) -> None:
    """Start the scaled-out form here: PostgreSQL, chromadb, the model server (optional), the simulated plant,
    app replicas, the monitor and an MCP server, sharing one state; Ctrl-C stops everything."""
    from pathlib import Path

    from ui.scale_out import ScaleOut, run_scale_out

    run_scale_out(configuration(ctx), ScaleOut(replicas, port, mcp_port, serve_model), Path(work))


def main() -> None:
    """The command, with a mistake in a config file told in one line (file and field), not a traceback."""
    try:
        app()
    except CONFIG_ERRORS as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    except RUN_ERRORS as exc:
        typer.secho(f"error: {_one_line(exc)}", fg="red", err=True)
        sys.exit(1)


def _one_line(exc: BaseException) -> str:
    """The error as one line; a file error names the file and what the system said."""
    if isinstance(exc, OSError) and exc.filename and exc.strerror:
        return f"cannot use {exc.filename}: {exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    main()
