"""``plant-copilot alerts judge ID real|false``: a supervisor, engineer or admin judges an alert."""

from __future__ import annotations

from enum import StrEnum

import typer

from copilot import AlertVerdict, AuditLog, configuration
from copilot.monitor import Alerts, judge_alert

app = typer.Typer(help="The monitor's alerts, judged by people: the monitor's precision is made of them.",
                  no_args_is_help=True)


class Judgement(StrEnum):
    """What a person says an alert was, in the words of the command."""

    real = "real"
    false = "false"

    @property
    def verdict(self) -> AlertVerdict:
        return AlertVerdict.confirmed if self is Judgement.real else AlertVerdict.false_alarm


@app.command()
def judge(ctx: typer.Context, alert_id: str = typer.Argument(..., help="the alert's id (`monitor alerts --all`)"),
          judgement: str = typer.Argument(..., metavar="real|false", help="a real problem, or a false alarm"),
          user: str = typer.Option(..., "--user", help="who judges it (password asked for)")) -> None:
    """Judge an alert real or false, open or ended; a later judgement replaces an earlier one."""
    from ui.commands.chat import signed_in

    if judgement.strip().lower() not in set(Judgement):
        typer.secho(f"error: judge an alert 'real' or 'false', not {judgement!r}", fg="red", err=True)
        raise typer.Exit(2)
    settings = configuration(ctx).copilot
    who = signed_in(settings, user)
    alerts, audit = Alerts(settings.state_db), AuditLog.of(settings)
    try:
        alert = judge_alert(alerts, audit, alert_id, who, Judgement(judgement.strip().lower()).verdict)
    except (LookupError, PermissionError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    finally:
        alerts.close()
        audit.close()
    typer.echo(f"{alert.alert_id}: judged {'real' if alert.verdict is AlertVerdict.confirmed else 'false'} "
               f"by {who.username}")
