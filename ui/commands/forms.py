"""``plant-copilot form list | run``: every procedure as a form, run without the model.

A form needs no model: the copilot opens without one, and the run goes through the same gate, sign-off, ledger
and audit as the chat's. Values are ``NAME=VALUE`` (several choices joined by commas; a setpoint change is
``changes=TAG=VALUE``); a bad one is told in one line per field, and nothing runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import typer

from connectors.errors import ConnectorError
from copilot import Configuration, Copilot, FormRejected, RequestRejected, Step, configuration
from copilot.llm import NoModel
from copilot.procedures import Form, SlotKind
from ui.commands.chat import print_steps, signed_in

app = typer.Typer(help="The procedures as forms: run one without the model.", no_args_is_help=True)
NO_MODEL = "this command runs the procedures from their forms and needs no model"


def _open(config: Configuration, work: Callable[[Copilot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with Copilot.open(NoModel(why=NO_MODEL), settings=config.copilot, connectors=config.connectors,
                                twin=config.twin) as copilot:
            await work(copilot)

    try:
        asyncio.run(main())
    except FormRejected as exc:
        for line in exc.problems:
            typer.secho(f"error: {line}", fg="red", err=True)
        raise typer.Exit(1) from None
    except (ConnectorError, RequestRejected) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def _describe(form: Form) -> list[str]:
    """A form as lines: each field with its kind, whether it is required, and its choices, units and limits."""
    lines = [f"{form.procedure}: {form.description}"]
    for field in form.fields:
        need = "required" if field.required else "optional"
        lines.append(f"  {field.name} ({field.kind}, {need})" + (f": {field.help}" if field.help else ""))
        if field.kind is SlotKind.setpoint_changes:
            lines += [f"    {machine} {p.tag}: {p.limits or 'no limits'}" for machine, points in form.setpoints.items()
                      for p in points]
        elif field.choices:
            lines.append("    one of: " + ", ".join(c.value for c in field.choices))
    return lines


@app.command("list")
def list_(ctx: typer.Context,
          procedure: str | None = typer.Argument(None, help="one procedure's form in full")) -> None:
    """The procedures' forms; with a procedure, its fields with their choices, units and limits."""

    async def work(copilot: Copilot) -> None:
        forms = copilot.forms()
        if procedure is None:
            for form in forms:
                typer.echo(f"{form.procedure:<32} {', '.join(f.name + '*' * f.required for f in form.fields)}")
            return
        form = next((f for f in forms if f.procedure == procedure), None)
        if form is None:
            raise RequestRejected(f"no procedure {procedure!r}; the forms are {', '.join(f.procedure for f in forms)}")
        typer.echo("\n".join(_describe(form)))

    _open(configuration(ctx), work)


def _values(pairs: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a form's values (a value may hold ``=``, as a setpoint change does)."""
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise typer.BadParameter(f"{bad[0]!r}: write each value as NAME=VALUE")
    return dict(p.split("=", 1) for p in pairs)


async def _each(steps: list[Step]) -> AsyncIterator[Step]:
    for step in steps:
        yield step


@app.command("run")
def run(ctx: typer.Context, procedure: str = typer.Argument(..., help="the procedure (form list names them)"),
        values: list[str] = typer.Argument(None, help="NAME=VALUE for each field filled in"),
        user: str = typer.Option(..., "--user", help="who runs it (from the users file); their password is asked "
                                 "for, or taken from COPILOT_PASSWORD")) -> None:
    """Run a procedure from its form; print each step (changes that need sign-off wait in the approvals queue)."""
    config = configuration(ctx)
    filled = _values(values or [])
    who = signed_in(config.copilot, user)

    async def work(copilot: Copilot) -> None:
        done = await copilot.run_form(who, procedure, filled)
        await print_steps(_each(done.steps))
        typer.secho(f"\n(conversation {done.thread_id})", dim=True)

    _open(config, work)
