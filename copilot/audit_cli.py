"""``plant-copilot audit list | verify``: read the audit log and check its hash chain."""

from __future__ import annotations

import json
import time

import typer

from copilot.audit import AuditLog
from copilot.settings import CopilotSettings

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@app.command("list")
def list_(
    actor: str | None = typer.Option(None),
    tool: str | None = typer.Option(None),
    kind: str | None = typer.Option(None, help="request, proposal, decision, approval, rejection, execution, result"),
    text: str | None = typer.Option(None, help="search arguments, decisions and results"),
    limit: int = typer.Option(50),
) -> None:
    """The newest records first."""
    for r in AuditLog(CopilotSettings().audit_db).records(actor=actor, tool=tool, kind=kind, text=text, limit=limit):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.ts))
        detail = {k: v for k, v in (("args", r.arguments), ("decision", r.decision), ("approvers", r.approvers),
                                    ("result", r.result), ("old", r.old_value), ("new", r.new_value)) if v}
        typer.echo(f"{r.seq:>6} {when} {r.kind:<10} {r.actor:<8} {r.tool or '-':<22} "
                   f"{json.dumps(detail, ensure_ascii=False, default=str)[:200]}")


@app.command()
def verify() -> None:
    """Check the whole chain; exit 1 and name the first bad record if anything was edited, removed or reordered."""
    report = AuditLog(CopilotSettings().audit_db).verify()
    if report.ok:
        typer.secho(f"audit log intact: {report.count} records, chain verified", fg="green")
        return
    typer.secho(f"audit log TAMPERED at record {report.first_bad_seq}: {report.problem}", fg="red", err=True)
    raise typer.Exit(1)
