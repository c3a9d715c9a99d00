"""``plant-copilot mcp``: serve the copilot's tools over MCP (stdio or streamable HTTP), and the tokens its
HTTP clients present."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
import time
from enum import StrEnum

import typer

from copilot import Configuration, Origin, RecordedSignIn, configuration
from copilot.identity import AccessTokens, UnknownToken, UsersFile, UsersFileError
from ui.commands.chat import signed_in
from ui.mcp_identity import CallerRefused, StdioCaller, prove_stdio

app = typer.Typer(help="The copilot's tools for other agents and tools, over the Model Context Protocol.",
                  no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens of the MCP server's HTTP clients, one per user.", no_args_is_help=True)
app.add_typer(token_app, name="token")


class Transport(StrEnum):
    """How the MCP server talks to its clients."""

    stdio = "stdio"  # a desktop client starts the server for one user
    http = "http"  # streamable HTTP, for several clients, each with its own token


@app.command()
def serve(
    ctx: typer.Context,
    transport: Transport = typer.Option(Transport.stdio, help="stdio for one user's client, http for several"),
    user: str = typer.Option("", envvar="COPILOT_MCP_USER",
                             help="over stdio: the user every call is made as, proven by COPILOT_PASSWORD"),
    host: str = typer.Option("127.0.0.1", help="over http: the address to listen on (loopback by default)"),
    port: int = typer.Option(8765, help="over http: the port"),
) -> None:
    """Serve every tool of the copilot, the plant and the manuals over MCP, behind the same policy gate,
    approval queue and audit log as the chat. Over stdio the server proves its user first: an access token in
    COPILOT_MCP_TOKEN, or --user with the user's password in COPILOT_PASSWORD (never a bare name)."""
    config = configuration(ctx)
    users = UsersFile(config.copilot.users_file)
    caller = _stdio_caller(config, users, user) if transport is Transport.stdio else None
    asyncio.run(_serve(transport, caller, host, port, config, users))


def _stdio_caller(config: Configuration, users: UsersFile, user: str) -> StdioCaller:
    """The user a stdio server serves, proven by a token or a password from the environment (stdin is the
    protocol's, so nothing is prompted); one line and exit 2 when it cannot be."""
    tokens = AccessTokens(config.copilot.state_db)
    signin = None
    try:
        signin = RecordedSignIn(config.copilot, via=Origin.mcp)
        return prove_stdio(users, tokens, signin, token=os.environ.get("COPILOT_MCP_TOKEN", "").strip(), user=user,
                           password=os.environ.get("COPILOT_PASSWORD", ""),
                           address=f"mcp-stdio:{getpass.getuser()}")
    except (CallerRefused, UsersFileError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    finally:
        if signin is not None:
            signin.close()
        tokens.close()


async def _serve(transport: Transport, caller: StdioCaller | None, host: str, port: int, config: Configuration,
                 users: UsersFile) -> None:
    from copilot import Copilot
    from copilot.llm import NoModel
    from knowledge.open import open_store
    from ui.mcp_gate import BearerGate
    from ui.mcp_listing import systems_of
    from ui.mcp_server import PlantMcp

    tokens = AccessTokens(config.copilot.state_db)
    try:
        manuals = await asyncio.to_thread(open_store, config.knowledge)
        async with Copilot.open(NoModel(), settings=config.copilot, connectors=config.connectors, twin=config.twin,
                                manuals=manuals) as copilot:
            await copilot.resume_decided()
            systems = systems_of(config.connectors, copilot.plant, manuals=copilot.manuals is not None)
            mcp = PlantMcp(copilot, users, tokens, systems=systems, stdio=caller)
            server = mcp.server()
            if transport is Transport.stdio:
                from mcp.server.stdio import stdio_server

                async with stdio_server() as (read, write):
                    await server.run(read, write, server.create_initialization_options())
                return
            import uvicorn

            gated = BearerGate(server.streamable_http_app(host=host), tokens, copilot)
            print(f"MCP server on http://{host}:{port}/mcp", file=sys.stderr, flush=True)
            await uvicorn.Server(uvicorn.Config(gated, host=host, port=port, log_level="warning")).serve()
    finally:
        tokens.close()


@token_app.command("create")
def token_create(ctx: typer.Context, user: str = typer.Option(..., "--user", help="the person the token acts as"),
                 note: str = typer.Option("", help="what it is for, e.g. the client's name")) -> None:
    """A new token for USER, shown once; it needs USER's password (prompted, or COPILOT_PASSWORD), since
    whoever holds it acts as USER."""
    settings = configuration(ctx).copilot
    person = signed_in(settings, user)
    tokens = AccessTokens(settings.state_db)
    try:
        made, secret = tokens.create(person.username, note)
    finally:
        tokens.close()
    typer.echo(f"token {made.token_id} for {made.username} (shown this once; keep it in the client's secret store):")
    typer.echo(secret)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """The tokens: id, user, note, made, last used, revoked."""
    tokens = AccessTokens(configuration(ctx).copilot.state_db)
    try:
        for t in tokens.listed():
            used = time.strftime("%Y-%m-%d %H:%M", time.localtime(t.last_used_at)) if t.last_used_at else "never"
            state = "revoked" if t.revoked_at else "active"
            made = time.strftime("%Y-%m-%d", time.localtime(t.created_at))
            typer.echo(f"{t.token_id}  {t.username:<10} {state:<8} made {made}, last used {used}  {t.note}")
    finally:
        tokens.close()


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke a token at once: its next request is refused."""
    tokens = AccessTokens(configuration(ctx).copilot.state_db)
    try:
        t = tokens.revoke(token_id)
    except UnknownToken as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    finally:
        tokens.close()
    typer.echo(f"token {t.token_id} of {t.username} revoked")
