"""``plant-copilot opcua`` (the copilot's certificate, trusting a server) and ``plant-copilot plant`` (import, check).

Addresses, security and the PKI folder come from the environment (``PLANT_*``, see ``connectors.settings``),
read once by the ``plant-copilot`` callback (ui/cli.py) and taken from the command's context.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from connectors.errors import ConnectorError
from connectors.plc import Protocol
from connectors.plc.opcua.pki import (
    CERT_DAYS,
    Pki,
    certificate_der,
    create_application_certificate,
    describe,
    expires_within,
    fingerprint,
)
from connectors.settings import ConnectorSettings, OpcUaSecurity

if TYPE_CHECKING:
    from connectors.plc.opcua.draft import Draft

opcua_app = typer.Typer(help="OPC UA security: the copilot's certificate and the servers it trusts.",
                        no_args_is_help=True)
cert_app = typer.Typer(help="The copilot's own application certificate.", no_args_is_help=True)
opcua_app.add_typer(cert_app, name="cert")
plant_app = typer.Typer(help="Describe the plant from its OPC UA server, and check the plant file against its PLCs.",
                        no_args_is_help=True)

_RENEW_WITHIN_DAYS = 30


def connector_settings(ctx: typer.Context) -> ConnectorSettings:
    """The connectors' part of the configuration the entry point read once and put in the context."""
    return ctx.obj.connectors


@cert_app.command("create")
def cert_create(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, help="how long the certificate is valid")] = CERT_DAYS,
    replace: Annotated[bool, typer.Option(help="make a new key and certificate over the existing ones")] = False,
) -> None:
    """Make the copilot's application certificate and private key (mode 0600) in PLANT_OPCUA_PKI_DIR."""
    pki = Pki(connector_settings(ctx).opcua_pki_dir)
    der = _or_fail(lambda: create_application_certificate(pki, days=days, replace=replace))
    typer.secho(f"made {pki.cert_file} (key {pki.key_file})", fg="green")
    typer.echo(f"  {describe(der)}")
    typer.echo("Give the certificate file to each OPC UA server's admin to trust (the server's trust list).")


@cert_app.command("show")
def cert_show(ctx: typer.Context) -> None:
    """The copilot's certificate: where it is, whom it names, until when, its fingerprint."""
    pki = Pki(connector_settings(ctx).opcua_pki_dir)
    cert_file, _ = _or_fail(pki.own)
    der = cert_file.read_bytes()
    typer.echo(f"{cert_file}\n  {describe(der)}")
    if expires_within(der, _RENEW_WITHIN_DAYS):
        typer.secho(f"  it expires within {_RENEW_WITHIN_DAYS} days: `plant-copilot opcua cert create --replace`, "
                    f"then have the servers trust the new one", fg="yellow")


@opcua_app.command("trust")
def trust(
    ctx: typer.Context,
    server: Annotated[str, typer.Argument(help="the server's URL (opc.tcp://HOST:PORT/...) or its certificate file")],
    fingerprint_: Annotated[str | None, typer.Option(
        "--fingerprint", help="the SHA-256 fingerprint the server's admin gave you; trusted without asking if equal")
    ] = None,
) -> None:
    """Put a server's certificate on the trust list, after its fingerprint is checked."""
    settings = connector_settings(ctx)
    der = _server_certificate(server, settings)
    typer.echo(f"{server} presents:\n  {describe(der)}")
    if fingerprint_ is not None:
        if _normal(fingerprint_) != _normal(fingerprint(der)):
            _fail("the fingerprint differs from the one given: not trusted (is this the right server?)")
    elif not typer.confirm("Is this the fingerprint the server's admin gave you? Trust it?"):
        _fail("not trusted")
    path = Pki(settings.opcua_pki_dir).trust(der)
    typer.secho(f"trusted: {path}", fg="green")


@plant_app.command("import")
def plant_import(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="the OPC UA server's URL, opc.tcp://HOST:PORT/...")],
    out: Annotated[Path | None, typer.Option(help="write the draft to this file (default: print it)")] = None,
    replace: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Draft a plant file from the server's address space, for review; it never replaces the running plant file.
    What it left out and what it could not tell are listed (and are comments in the draft)."""
    from connectors.plc.opcua.draft import draft_plant
    from connectors.plc.opcua.draft_yaml import render
    from connectors.plc.opcua.session import close_quietly, open_session

    settings = connector_settings(ctx)
    if out is not None:
        if settings.plant_file.exists() and out.exists() and out.samefile(settings.plant_file):
            _fail(f"{out} is the plant file in use (PLANT_PLANT_FILE): write the draft elsewhere and review it")
        if out.exists() and not replace:
            _fail(f"{out} exists; pass --replace to overwrite it")

    async def draft() -> Draft:
        client = await open_session(settings, url)
        try:
            return await draft_plant(client, url, settings.opcua_security)
        finally:
            await close_quietly(client)

    drafted = _or_fail(lambda: asyncio.run(draft()))
    text = render(drafted)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    _report(drafted, out)


def _report(drafted: Draft, out: Path | None) -> None:
    """What the draft holds, what it left out and what the admin should look at; on stderr when the draft is
    printed, so that stdout stays a plant file."""
    tags = sum(len(m.tags) for m in drafted.machines)
    to_stderr = out is None
    typer.secho(f"{len(drafted.machines)} machine(s), {tags} tag(s) from {drafted.url}; "
                f"{len(drafted.skipped)} variable(s) left out, {len(drafted.doubts)} thing(s) to look at",
                err=to_stderr)
    for skipped in drafted.skipped:
        typer.secho(f"  left out: {skipped}", fg="yellow", err=to_stderr)
    for doubt in drafted.doubts:
        typer.secho(f"  to look at: {doubt}", fg="yellow", err=to_stderr)
    if out is not None:
        typer.secho(f"draft written to {out}: review it, then `plant-copilot plant check --plant-file {out}`",
                    fg="green")


@plant_app.command("check")
def plant_check(
    ctx: typer.Context,
    plant_file: Annotated[Path | None, typer.Option(help="the plant file to check (default: PLANT_PLANT_FILE)")] = None,
    protocol: Annotated[Protocol, typer.Option(
        help="the protocol of the settings' PLC, for the machines that name none")] = Protocol.opcua,
) -> None:
    """Check a plant file against every PLC it names, live, each by its protocol's plugin: OPC UA nodes (data types,
    access, ranges, units), Modbus registers (read), Sparkplug B births (metrics and their datatypes)."""
    from connectors.plc import Severity, check_plcs

    settings = connector_settings(ctx)
    if plant_file is not None:
        settings = settings.model_copy(update={"plant_file": plant_file})
    plant = settings.load_plant()
    reports = _or_fail(lambda: asyncio.run(check_plcs(settings, plant, protocol)))
    for report in reports:
        typer.secho(str(report), fg="red" if report.problems else "green")
        for finding in report.findings:
            typer.secho(f"  {finding}", fg="red" if finding.severity is Severity.problem else None)
    problems = sum(r.problems for r in reports)
    notes = sum(len(r.findings) for r in reports) - problems
    summary = (f"{settings.plant_file}: {len(plant.all_tags())} tags checked against {len(reports)} PLC(s), "
               f"{problems} problem(s), {notes} note(s)")
    if problems:
        _fail(summary)
    typer.secho(summary, fg="green")


def _server_certificate(server: str, settings: ConnectorSettings) -> bytes:
    if server.startswith("opc.tcp://"):
        from connectors.plc.opcua.session import server_certificate

        security = settings.opcua_security if settings.opcua_security is not OpcUaSecurity.none \
            else OpcUaSecurity.sign_and_encrypt
        return _or_fail(lambda: asyncio.run(server_certificate(server, security, settings.connect_timeout_s)))
    path = Path(server)
    if not path.is_file():
        _fail(f"{server} is neither an opc.tcp:// URL nor a certificate file")
    return _or_fail(lambda: certificate_der(path.read_bytes(), server))


def _normal(fingerprint_text: str) -> str:
    return fingerprint_text.replace(":", "").replace(" ", "").upper()


def _or_fail(call):
    try:
        return call()
    except ConnectorError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)
