"""``plant-copilot release create | attach | promote | diff | list | show``: freeze what makes the copilot decide,
with its eval reports; make it the running release when the reports meet the admin's thresholds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from copilot import configuration
from copilot.governance import (
    NotPromoted,
    Release,
    ReleaseError,
    Releases,
    SuiteFigures,
    Thresholds,
    manifest_of,
    read_report,
)
from copilot.llm import make_chat_model
from ui.commands.chat import signed_in

app = typer.Typer(help="Releases: the copilot's configuration frozen with its eval reports, promoted against "
                       "thresholds.", no_args_is_help=True)

Reports = Annotated[list[Path] | None, typer.Option("--report", help="an eval report's JSON (var/evals/...); repeat "
                                                                     "for each suite")]
Id = Annotated[str, typer.Argument(help="a release id, or 6 or more of its first hex digits")]


@contextmanager
def _releases(ctx: typer.Context) -> Iterator[Releases]:
    """The site's releases; a ReleaseError told in one line, a refused promotion with each shortfall (exit 1)."""
    settings = configuration(ctx).copilot
    try:
        releases = Releases.of(settings)
        try:
            yield releases
        finally:
            releases.close()
    except NotPromoted as exc:
        where = settings.release_file.resolve()
        where = where.relative_to(Path.cwd()) if where.is_relative_to(Path.cwd()) else where
        typer.secho(f"error: {exc.headline}" + (f" ({where}):" if exc.shortfalls else ""),
                    fg="red", err=True)
        for shortfall in exc.shortfalls:
            typer.secho(f"  {shortfall}", fg="red", err=True)
        raise typer.Exit(1) from None
    except ReleaseError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _figure_lines(figures: list[SuiteFigures]) -> list[str]:
    if not figures:
        return ["  no eval report: it cannot be promoted (`plant-copilot release attach ID --report PATH`)"]
    lines = [f"  {'suite':<16} {'success':>7} {'pass^k':>7} {'violations':>10} {'attack':>7} {'mean s':>7} "
             f"{'p95 s':>7}  report"]
    for f in figures:
        attack = "-" if f.attack_success_rate is None else f"{f.attack_success_rate:g}"
        lines.append(f"  {f.suite:<16} {f.success:>7g} {f.pass_k:>7g} {f.violations:>10d} {attack:>7} "
                     f"{f.latency_s_mean:>7g} {f.latency_s_p95:>7g}  {f.report} ({f.provider}, k={f.k})")
    return lines


def _show(release: Release, running: str | None) -> None:
    state = "running" if release.id == running else "not running"
    typer.echo(f"release {release.id}\n  name: {release.name or '-'}  created: {_when(release.created_at)}  {state}")
    for e in release.manifest.entries:
        typer.echo(f"  {e.name:<10} {e.short:<12} {e.path}")
    typer.echo("figures:")
    typer.echo("\n".join(_figure_lines(release.figures)))


def _read(reports: list[Path] | None) -> list[SuiteFigures]:
    return [read_report(path) for path in reports or []]


@app.command()
def create(ctx: typer.Context,
           name: Annotated[str, typer.Option(help="a name people know it by (e.g. 2026-12 spring)")] = "",
           report: Reports = None) -> None:
    """Freeze this site's configuration (model checksum, prompt and examples, procedures, policy, plant, twin,
    users' roles, monitor rules, lexicon) with the figures of its eval reports; print its id."""
    config = configuration(ctx)
    with _releases(ctx) as releases:
        figures = _read(report)
        try:
            model = make_chat_model(config.llm)
        except ValueError as exc:
            raise ReleaseError(f"the model of this configuration: {exc}") from None
        release = releases.create(manifest_of(config.copilot, config.connectors, config.twin, model), figures, name)
        _show(release, None)
        typer.echo(f"next: plant-copilot release promote {release.short} --user ADMIN")


@app.command()
def attach(ctx: typer.Context, release_id: Id, report: Reports = None) -> None:
    """Add eval reports to a release, one per suite it has no report of yet."""
    with _releases(ctx) as releases:
        figures = _read(report)
        if not figures:
            raise ReleaseError("give the eval reports to attach: --report PATH (repeat for each suite)")
        release = releases.attach(release_id, figures)
        typer.echo(f"release {release.short}: {len(figures)} report(s) attached")
        typer.echo("\n".join(_figure_lines(release.figures)))


@app.command()
def promote(ctx: typer.Context, release_id: Id,
            user: Annotated[str, typer.Option("--user", help="an admin (password asked for, or COPILOT_PASSWORD)")]
            ) -> None:
    """Make the release the running one if its reports meet every threshold of release.yaml; otherwise name each
    figure that falls short and change nothing."""
    settings = configuration(ctx).copilot
    with _releases(ctx) as releases:
        releases.get(release_id)  # an unknown id, or a broken thresholds file, before the password is asked
        thresholds = Thresholds.load(settings.release_file)
        admin = signed_in(settings, user)
        release = releases.promote(release_id, thresholds, admin)
        typer.secho(f"release {release.short}{f' ({release.name})' if release.name else ''} promoted by "
                    f"{admin.username}: it is the running release; a copilot whose configuration differs is refused "
                    "at start", fg="green")


@app.command()
def diff(ctx: typer.Context, before: Id, after: Id) -> None:
    """What changed from release BEFORE to AFTER: files added, removed or changed (by digest), and how each
    figure of each suite moved."""
    with _releases(ctx) as releases:
        d = releases.diff(before, after)
        typer.echo(f"release {d.before.short} → {d.after.short}")
        typer.echo("files:")
        typer.echo("\n".join(f"  {c.line()}" for c in d.files) or "  none changed")
        typer.echo("figures:")
        typer.echo("\n".join(f"  {m.line()}" for m in d.figures) or "  neither release holds an eval report")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every release of this site, the newest first; * marks the running one."""
    with _releases(ctx) as releases:
        running = releases.running()
        listed = releases.listed()
        if not listed:
            typer.echo("no release on this site yet: the copilot runs unreleased (`plant-copilot release create`)")
        for r in listed:
            mark = "*" if running and r.id == running[0].id else " "
            suites = ", ".join(f.suite for f in r.figures) or "no eval report"
            typer.echo(f"{mark} {r.short}  {_when(r.created_at)}  {r.name or '-':<20} {suites}")
        if running:
            typer.echo(f"running: {running[0].short}, promoted by {running[1].by} at {_when(running[1].at)}")


@app.command()
def show(ctx: typer.Context, release_id: Id) -> None:
    """One release: its entries (name, digest, path) and its reports' figures."""
    with _releases(ctx) as releases:
        running = releases.running()
        _show(releases.get(release_id), running[0].id if running else None)
