"""``plant-copilot audit list | verify | head``: read the audit log, check its chain, print its signed head."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from copilot import AuditKind, AuditLog, Head, configuration

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    actor: str | None = typer.Option(None),
    tool: str | None = typer.Option(None),
    kind: AuditKind | None = typer.Option(None, help="what the records are of"),
    text: str | None = typer.Option(None, help="search arguments, decisions and results"),
    limit: int = typer.Option(50),
) -> None:
    """The newest records first, each with the release its copilot ran as (or unreleased)."""
    for r in AuditLog.of(configuration(ctx).copilot).records(actor=actor, tool=tool, kind=kind, text=text, limit=limit):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.ts))
        release = r.release[:12] if r.release else "unreleased" if r.unreleased else None
        detail = {k: v for k, v in (("release", release), ("args", r.arguments), ("decision", r.decision),
                                    ("approvers", r.approvers), ("result", r.result), ("old", r.old_value),
                                    ("new", r.new_value)) if v}
        typer.echo(f"{r.seq:>6} {when} {r.kind:<10} {r.actor:<8} {r.tool or '-':<22} "
                   f"{json.dumps(detail, ensure_ascii=False, default=str)[:200]}")


@app.command()
def verify(ctx: typer.Context,
           head: Path | None = typer.Option(None, help="a head printed by `audit head` (e.g. kept in a ticket); "
                                                       "default: the head kept after every append")) -> None:
    """Check the whole chain and hold it against the signed head; exit 1 and name the first bad record if
    anything was edited, removed, reordered, cut off or rewritten."""
    log = AuditLog.of(configuration(ctx).copilot)
    report = log.verify(Head.model_validate_json(head.read_text()) if head else None)
    if report.ok:
        typer.secho(f"audit log intact: {report.count} records, chain verified", fg="green")
        return
    where = f" at record {report.first_bad_seq}" if report.first_bad_seq else ""
    typer.secho(f"audit log TAMPERED{where}: {report.problem}", fg="red", err=True)
    raise typer.Exit(1)


@app.command("head")
def head_(ctx: typer.Context) -> None:
    """Print the chain's signed head (count, last hash), to keep elsewhere: `audit verify --head FILE` holds
    the log against it."""
    typer.echo(AuditLog.of(configuration(ctx).copilot).head().model_dump_json(indent=2))
