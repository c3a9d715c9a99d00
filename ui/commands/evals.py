"""``plant-copilot eval ...``: run a suite, list the suites, compare two runs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from copilot import Configuration, configuration
from evals.report import REPORTS, Report, compare, run_report, table
from evals.runner import Models, RunResult, baseline_path
from evals.scenario import ScenarioError, available_suites, suite_named

app = typer.Typer(help="Eval suites: recorded scenarios that measure the copilot.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """The suites and their scenarios, each on the plant it is written for."""
    for name in available_suites():
        suite, _ = suite_named(name)
        console.print(f"[bold]{name}[/bold] on {suite.plant} ({len(suite.scenarios)}): {escape(suite.description)}")
        for s in suite.scenarios:
            console.print(f"  {s.id:<38} {s.category:<16} {escape(s.description)}")


@app.command()
def run(
    ctx: typer.Context,
    suites: Annotated[list[str], typer.Argument(
        help="suite names (evals/suites/NAME.yaml) or files; 'all' for every suite")],
    provider: Annotated[str, typer.Option(help="local | openai | replay")] = "replay",
    k: Annotated[int, typer.Option("-k", min=1, help="runs per scenario")] = 1,
    only: Annotated[list[str] | None, typer.Option(help="run only these scenario ids")] = None,
    record: Annotated[bool, typer.Option(
        help="record the live model's replies (and the baseline) under evals/recordings")] = False,
    out: Annotated[Path, typer.Option(help="folder for the JSON and Markdown reports")] = REPORTS,
) -> None:
    """Run suites against a fresh simulator; print a table and write a JSON and a Markdown report per suite."""
    if provider not in ("local", "openai", "replay"):
        raise typer.BadParameter(f"unknown provider {provider!r}: local, openai or replay", param_hint="--provider")
    if record and provider == "replay":
        raise typer.BadParameter("--record needs a live provider (local or openai)", param_hint="--record")
    configuration(ctx)  # the environment was read and is sound; each suite runs on its own plant's site
    names = available_suites() if suites == ["all"] else suites
    try:
        loaded = [suite_named(name) for name in names]
    except ScenarioError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    failed = False
    for suite, plant in loaded:
        config = Configuration.for_site(suite.site)
        models = Models(provider, suite.name, llm=config.llm)  # type: ignore[arg-type]
        report = _run_with_progress(suite, models, config, k, plant, only, record)
        if record:
            console.print(f"baseline: {_update_baseline(report)}")
        typer.echo(table(report))
        path = report.save(out)
        console.print(f"reports: {path} {path.with_suffix('.md')}\n")
        failed |= report.overall.violations > 0
    if failed:
        console.print("[red]policy violations found[/red]")
        raise typer.Exit(1)


def _run_with_progress(suite, models: Models, config: Configuration, k: int, plant, only, record: bool) -> Report:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task(f"{suite.name}", total=len(suite.chosen(only)) * k)

        def on_result(result: RunResult, done: int, total: int) -> None:
            mark = "[green]ok[/green]" if result.success else f"[red]failed ({result.blame})[/red]"
            progress.console.print(f"  {result.scenario} #{result.run}: {mark} {result.seconds:.0f} s")
            progress.update(task, completed=done)

        return asyncio.run(run_report(suite, models, config=config, k=k, plant=plant, only=only or None, record=record,
                                      on_result=on_result))


def _update_baseline(report: Report) -> Path:
    """Merge the new runs into the suite's baseline (a run with --only replaces just its scenarios)."""
    path = baseline_path(report.suite)
    ran = {r.scenario for r in report.results}
    kept = [r for r in Report.load(path).results if r.scenario not in ran] if path.exists() else []
    merged = Report.of(report.suite, report.model, report.provider, report.k, kept + report.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(merged.model_dump_json(indent=1), encoding="utf-8")
    return path


@app.command("compare")
def compare_(
    a: Annotated[Path, typer.Argument(help="report JSON of run A")],
    b: Annotated[Path, typer.Argument(help="report JSON of run B")],
) -> None:
    """What changed from A to B: the suite's figures and each scenario whose outcome moved."""
    typer.echo(compare(Report.load(a), Report.load(b)))
