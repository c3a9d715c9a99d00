"""``plant-copilot read MACHINE [TAG ...]``: live tags of any plant, through the PLC connectors the copilot uses.

The plant file in use (``PLANT_PLANT_FILE``) says where each machine's PLC is; a machine that names none is on the
settings' PLC, in ``COPILOT_PLC_PROTOCOL`` unless ``--protocol`` says otherwise.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, NoReturn

import typer

from connectors.errors import ConnectorError
from connectors.plant import Machine, Tag
from connectors.plc import Protocol, TagValue, open_plc
from copilot import configuration


def _shown(tag: Tag, value: object) -> str:
    """A value as a person reads it: an enumerated tag's name, a float to 6 significant digits, text quoted."""
    if tag.enum and isinstance(value, (int, float)) and int(value) in tag.enum:
        return tag.enum[int(value)]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _line(tag: Tag, read: TagValue, width: int) -> str:
    text = f"  {tag.name:<{width}}  {_shown(tag, read.value)} {tag.unit}".rstrip()
    if tag.writable:
        text += f"   (writable {tag.min:g}..{tag.max:g})"
    return text + ("   (quality bad)" if read.quality != "good" else "")


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)


def read(
    ctx: typer.Context,
    machine: Annotated[str, typer.Argument(help="the machine's id in the plant file")],
    tags: Annotated[list[str] | None, typer.Argument(help="its tags to read (default: all of them)")] = None,
    protocol: Annotated[Protocol | None, typer.Option(
        help="the protocol of the settings' PLC, for a machine that names none (default: COPILOT_PLC_PROTOCOL)")
    ] = None,
) -> None:
    """Read a machine's live tags from its PLC, each with its unit; one line saying what to do if that fails."""
    config = configuration(ctx)
    plant = config.connectors.load_plant()
    try:
        found: Machine = plant.machine(machine)
        specs = [found.tag(name) for name in tags] if tags else list(found.tags.values())
    except ConnectorError as exc:
        _fail(str(exc))

    async def fetch() -> dict[str, TagValue]:
        async with open_plc(config.connectors, plant, protocol or config.copilot.plc_protocol) as plc:
            return await plc.read_many(found.id, [spec.name for spec in specs])

    try:
        values = asyncio.run(fetch())
    except ConnectorError as exc:
        _fail(str(exc))
    typer.echo(f"{found.id} ({found.name}):")
    width = max((len(spec.name) for spec in specs), default=0)
    for spec in specs:
        typer.echo(_line(spec, values[spec.name], width))
