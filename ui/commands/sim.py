"""``plant-copilot sim``: run the simulated plant (simulator/main.py), look at it, plant faults and text.

Addresses come from the environment (``PLANT_*``, see ``connectors.settings``), read once by the entry point
(``plant-copilot``'s callback, ui/cli.py, or ``python -m simulator``) and taken from the command's context.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, NoReturn

import httpx
import typer

from connectors.plant import Plant
from connectors.plc import Protocol
from connectors.settings import ConnectorSettings
from simulator.faults import FaultKind
from simulator.main import connectors_of, run

app = typer.Typer(help="The simulated plant: run it, look at it, inject faults.", no_args_is_help=True)
fault_app = typer.Typer(help="Start and clear faults in the simulated plant.", no_args_is_help=True)
app.add_typer(fault_app, name="fault")
app.command()(run)

_STATES = {0: "stopped", 1: "running", 2: "FAULTED"}




@app.command()
def status(ctx: typer.Context) -> None:
    """Every machine's state, alarm and tags, the active faults and the simulated time."""
    settings = connectors_of(ctx)
    plant = settings.load_plant()
    state = _call(settings, "GET", "/state")
    typer.echo(format_state(plant, state))


@app.command()
def read(
    ctx: typer.Context,
    machine: str,
    tag: str,
    protocol: Annotated[Protocol, typer.Option(help="which PLC protocol to read over")] = Protocol.modbus,
) -> None:
    """Read one tag the way the copilot does: over Modbus TCP or OPC UA, through the PLC connector."""
    from connectors.errors import ConnectorError
    from connectors.plc import open_plc

    settings = connectors_of(ctx)

    async def fetch():
        async with open_plc(settings, settings.load_plant(), protocol) as plc:
            return await plc.read(machine, tag)

    try:
        value = asyncio.run(fetch())
    except ConnectorError as exc:
        _fail(str(exc))
    typer.echo(f"{value.machine_id}.{value.tag} = {_show(value.value)} {value.unit}".rstrip()
               + f"   ({protocol.value}, quality {value.quality})")


@app.command()
def text(ctx: typer.Context, machine: str, tag: str, value: Annotated[str, typer.Argument(metavar="TEXT")]) -> None:
    """Put text into a PLC string tag (operator_note, batch_comment, material_lot)."""
    _call(connectors_of(ctx), "POST", "/text", json={"machine_id": machine, "tag": tag, "text": value})
    typer.echo(f"{machine}.{tag} = {value!r}")


@app.command()
def advance(ctx: typer.Context, seconds: Annotated[float, typer.Argument(help="simulated seconds")]) -> None:
    """Run the simulation forward now (useful with --time-scale 0)."""
    clock = _call(connectors_of(ctx), "POST", "/advance", json={"seconds": seconds})
    typer.echo(f"sim time {_clock(clock['sim_time'])}")


@app.command()
def reset(ctx: typer.Context) -> None:
    """Back to the start: no faults, empty history, fresh ERP and MES data."""
    _call(connectors_of(ctx), "POST", "/reset")
    typer.echo("plant reset")


@fault_app.command("inject")
def fault_inject(
    ctx: typer.Context,
    kind: FaultKind,
    machine: Annotated[str | None, typer.Option(help="machine id, for machine faults")] = None,
    severity: Annotated[float, typer.Option(min=0.0, max=1.0, help="0..1")] = 1.0,
    tag: Annotated[str | None, typer.Option(help="for sensor_drift: which sensor drifts")] = None,
) -> None:
    """Start a fault (injecting the same kind on the same machine again replaces it)."""
    body = {"kind": kind.value, "machine_id": machine, "severity": severity, "tag": tag}
    fault = _call(connectors_of(ctx), "POST", "/faults", json=body)
    typer.echo(f"fault on: {_describe_fault(fault)}")


@fault_app.command("clear")
def fault_clear(
    ctx: typer.Context,
    kind: Annotated[FaultKind | None, typer.Argument(help="only this kind (default: all)")] = None,
    machine: Annotated[str | None, typer.Option(help="only on this machine")] = None,
) -> None:
    """Clear faults; a cleared bearing or sensor counts as replaced."""
    params = {k: v for k, v in (("kind", kind and kind.value), ("machine_id", machine)) if v}
    cleared = _call(connectors_of(ctx), "DELETE", "/faults", params=params)
    typer.echo(f"cleared {cleared['cleared']} fault(s)")


def format_state(plant: Plant, state: dict[str, Any]) -> str:
    """The /state answer as a table a person reads: one block per machine."""
    faults = ", ".join(_describe_fault(f) for f in state["faults"]) or "none"
    lines = [f"{plant.plant.name} — sim time {_clock(state['sim_time'])} — faults: {faults}"]
    for machine_id, values in state["machines"].items():
        machine = plant.machine(machine_id)
        code = int(values.get("alarm_code", 0))
        status = _STATES.get(int(values.get("state", 0)), "?")
        if machine_id in state["offline"]:
            status += ", PLC OFFLINE"
        alarm = f"ALARM {code} {plant.alarm_codes.get(code, '')}".rstrip() if code else ""
        lines.append(f"\n{machine_id:<7} {machine.name:<22} {status:<18} {alarm}".rstrip())
        shown = []
        for name, value in values.items():
            if name in ("state", "alarm_code"):
                continue
            tag = machine.tags[name]
            shown.append(f"{name}={_show(value)}{(' ' + tag.unit) if tag.unit else ''}")
        lines.extend(_wrap(shown, indent=8, width=110))
    return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _wrap(items: list[str], *, indent: int, width: int) -> list[str]:
    rows, row = [], ""
    for item in items:
        if row and indent + len(row) + 3 + len(item) > width:
            rows.append(" " * indent + row)
            row = ""
        row = f"{row}   {item}" if row else item
    if row:
        rows.append(" " * indent + row)
    return rows


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _describe_fault(fault: dict[str, Any]) -> str:
    where = f" on {fault['machine_id']}" if fault.get("machine_id") else ""
    tag = f".{fault['tag']}" if fault.get("tag") else ""
    return f"{fault['kind']}{where}{tag} (severity {fault['severity']:g})"


def _call(settings: ConnectorSettings, method: str, path: str, **kwargs: Any) -> Any:
    """One request to the control API; a refusal or an absent simulator ends the command with its reason."""
    try:
        with httpx.Client(base_url=settings.sim_url, timeout=max(settings.request_timeout_s, 60.0)) as http:
            response = http.request(method, path, **kwargs)
    except httpx.TransportError:
        _fail(f"no simulator answers at {settings.sim_url}; start it with `plant-copilot sim run`")
    if response.status_code >= 400:
        _fail(_detail(response))
    return response.json() if response.content else None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}: {response.text[:200]}"
    return str(detail)


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)
