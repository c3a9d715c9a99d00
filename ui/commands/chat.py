"""``plant-copilot ask`` and ``plant-copilot approvals``: the copilot from a terminal."""

from __future__ import annotations

import asyncio
import getpass
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import typer

from connectors.errors import ConnectorError
from copilot import (
    Answer,
    ApprovalQueue,
    ApprovalRefused,
    Calling,
    Choice,
    Configuration,
    ConversationBusy,
    Copilot,
    CopilotSettings,
    NotPending,
    NotYourConversation,
    PendingAction,
    Proposal,
    RecordedSignIn,
    RequestRejected,
    Restating,
    Result,
    Status,
    Step,
    Token,
    UnknownAction,
    Verdict,
    Waiting,
    configuration,
)
from copilot.identity import SignInRefused, User, UsersFileError

approvals_app = typer.Typer(help="The queue of actions waiting for sign-off.", no_args_is_help=True)


def signed_in(settings: CopilotSettings, name: str) -> User:
    """The user, signed in with their password (prompted, or COPILOT_PASSWORD from the environment): whoever
    asks or approves is the person the policy and the audit log see. Throttled like the app's sign-in."""
    try:
        secret = os.environ.get("COPILOT_PASSWORD") or typer.prompt(f"password for {name}", hide_input=True)
        signin = RecordedSignIn(settings)
        try:
            return signin.check(name, secret, address=f"cli:{getpass.getuser()}")
        finally:
            signin.close()
    except (SignInRefused, UsersFileError) as exc:
        raise typer.BadParameter(str(exc)) from None


@asynccontextmanager
async def _copilot(config: Configuration):
    from copilot.llm import make_chat_model
    from knowledge.open import open_store

    manuals = open_store(config.knowledge)
    async with Copilot.open(make_chat_model(config.llm), settings=config.copilot, connectors=config.connectors,
                            twin=config.twin, manuals=manuals) as copilot:
        yield copilot


def _print_step(step: Step) -> None:
    match step:
        case Choice():
            typer.secho(f"· {step.tool} {json.dumps(step.arguments, ensure_ascii=False)}", dim=True)
        case Proposal():
            typer.secho(f"→ {step.tool}({json.dumps(step.arguments, ensure_ascii=False)})", fg="cyan")
        case Result():
            colour = {Status.done: "green", Status.waiting: "yellow"}.get(step.status, "red")
            typer.secho(f"  [{step.status}] {step.tool} {step.change or ''}".rstrip(), fg=colour)
            if step.status is Status.done and step.result is not None:
                typer.echo("  " + _short(step.result))
            elif step.status is not Status.done:
                typer.echo("  " + step.text.split("\n", 1)[-1])
        case Waiting():
            owner = f", owner {step.decision.owner}" if step.decision and step.decision.owner else ""
            typer.secho(f"  [waiting for approval] {step.change}  (action {step.action_id}{owner})", fg="yellow")
        case Answer():
            typer.echo("\n" + step.text)


def _short(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + " …"


def _run(config: Configuration, work: Callable[[Copilot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with _copilot(config) as copilot:
            await work(copilot)

    try:
        asyncio.run(main())
    except (ConnectorError, ConversationBusy, NotYourConversation, RequestRejected, ApprovalRefused, NotPending,
            UnknownAction) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="what to ask, in plain words"),
    user: str = typer.Option(..., "--user", help="who asks (from the users file); their password is asked for, "
                             "or taken from COPILOT_PASSWORD"),
    thread: str | None = typer.Option(None, help="continue this conversation"),
) -> None:
    """Ask the copilot; print each step (tool, arguments, decision, result) and the answer."""
    config = configuration(ctx)
    if config.llm.provider == "none":
        typer.secho("the model is off (COPILOT_PROVIDER=none), so nothing understands a request; every procedure "
                    "runs from its form: `plant-copilot form list`, then `plant-copilot form run PROCEDURE "
                    "NAME=VALUE ... --user NAME`", fg="yellow", err=True)
        raise typer.Exit(1)
    who = signed_in(config.copilot, user)

    async def work(copilot: Copilot) -> None:
        thread_id = thread or f"cli-{int(time.time())}-{os.getpid()}"
        await print_steps(copilot.ask(who, question, thread_id=thread_id))
        typer.secho(f"\n(conversation {thread_id})", dim=True)

    _run(config, work)


async def print_steps(steps: AsyncIterator[Step]) -> None:
    """Each step as it comes; streamed words (the request understood, the answer) as they are written."""
    words: type[Restating | Token] | None = None  # the kind of the words being printed
    async for step in steps:
        if isinstance(step, Calling):  # its choice or proposal step follows, complete
            continue
        if isinstance(step, Restating | Token):
            begin = "\n" + ("understood as: " if isinstance(step, Restating) else "")
            typer.secho(("" if words is type(step) else begin) + step.text, nl=False,
                        dim=isinstance(step, Restating))
            words = type(step)
            continue
        if words is not None:  # the streamed words end; an answer was already printed by them
            typer.echo()
            answered, words = words is Token, None
            if answered and isinstance(step, Answer):
                continue
        _print_step(step)


def _describe(action: PendingAction) -> str:
    decision = action.decision
    lines = [
        f"action   {action.action_id}  ({action.status})",
        f"asked by {action.requester} ({action.requester_role}) {action.via.label}, {action.age_s / 60:.0f} min ago, "
        f"expires {time.strftime('%Y-%m-%d %H:%M', time.localtime(action.expires_at))}",
        f"tool     {action.tool}  risk {action.risk}",
        f"change   {action.change}",
        f"args     {json.dumps(action.arguments, ensure_ascii=False)}",
        f"digest   {action.digest[:16]}",
        f"needs    {decision.approvers} approver(s) with role {' or '.join(map(str, decision.roles))}: "
        + "; ".join(decision.reasons),
        f"approved {', '.join(action.approvers) or '-'}",
        f"owner    {decision.owner or '-'}",
    ]
    if (prediction := action.prediction) is not None:
        lines.append(f"dry run  {prediction.line}")
        lines += [f"         {reading}: " + ", ".join(f"{v:.4g} at {m:g} min" for m, v in course[::10])
                  for reading, course in prediction.courses.items()]
    return "\n".join(lines)


@approvals_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every action waiting for sign-off, across conversations."""
    queue = _queue(configuration(ctx).copilot)
    pending = queue.pending()
    if not pending:
        typer.echo("no actions wait for approval")
    for action in pending:
        typer.echo(
            f"{action.action_id}  {action.tool:<24} {action.change}  by {action.requester} {action.via.label}, "
            f"{len(action.approvers)}/{action.decision.approvers} approvals, {action.age_s / 60:.0f} min"
            + (f", owner {action.decision.owner}" if action.decision.owner else "")
        )


@approvals_app.command()
def show(ctx: typer.Context, action_id: str) -> None:
    """One action in full: who asked, the exact change, the policy's reasons."""
    try:
        typer.echo(_describe(_queue(configuration(ctx).copilot).get(action_id)))
    except UnknownAction as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def _decide(config: Configuration, verdict: Verdict, action_id: str, user: str, comment: str) -> None:
    who = signed_in(config.copilot, user)

    async def work(copilot: Copilot) -> None:
        action, steps = await copilot.decide(verdict, action_id, who, comment)
        typer.echo(f"{action.action_id}: {action.status} "
                   f"({len(action.approvers)}/{action.decision.approvers} approvals)")
        for step in steps:
            _print_step(step)

    _run(config, work)


@approvals_app.command()
def approve(ctx: typer.Context, action_id: str, user: str = typer.Option(..., "--user"),
            comment: str = typer.Option("", "--comment")) -> None:
    """Approve an action; when enough people have, its conversation resumes and the action runs."""
    _decide(configuration(ctx), Verdict.approve, action_id, user, comment)


@approvals_app.command()
def reject(ctx: typer.Context, action_id: str, user: str = typer.Option(..., "--user"),
           comment: str = typer.Option("", "--comment")) -> None:
    """Reject an action; the copilot is told why and does not propose it again."""
    _decide(configuration(ctx), Verdict.reject, action_id, user, comment)


def _queue(settings: CopilotSettings) -> ApprovalQueue:
    return ApprovalQueue(settings.state_db, ttl_hours=settings.approval_ttl_hours,
                         run_within_minutes=settings.approval_run_within_minutes)
