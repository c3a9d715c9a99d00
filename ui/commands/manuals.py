"""``plant-copilot manuals ...``: ingest manuals into the store, search them, show a cited passage.

The store's settings are the configuration's knowledge part, read once by the ``plant-copilot`` callback
(ui/cli.py) and taken from the command's context.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.errors import KnowledgeError
from knowledge.open import open_store
from knowledge.settings import KnowledgeSettings
from knowledge.store import FileResult, ManualStore, SearchMode

app = typer.Typer(help="The equipment manuals: ingest, search, show a cited passage.", no_args_is_help=True)
console = Console()

StoreOption = Annotated[
    Path | None, typer.Option("--store", help="store folder (default: $PLANT_KNOWLEDGE_STORE or var/knowledge/SITE)")
]
STATUS_STYLE = {"added": "green", "updated": "cyan", "unchanged": "dim", "empty": "yellow", "failed": "red"}


def _open(ctx: typer.Context, store: Path | None) -> ManualStore:
    settings: KnowledgeSettings = ctx.obj.knowledge
    if store:  # a folder given here wins over a server in the settings
        settings = settings.model_copy(update={"knowledge_store": store, "knowledge_url": None})
    return open_store(settings)


def _fail(error: KnowledgeError) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(str(error))}")
    return typer.Exit(2)


@app.command()
def ingest(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(
        help="a manual (.md, .txt, .pdf) or a folder of them (default: the site's manuals/)")] = None,
    store: StoreOption = None,
) -> None:
    """Ingest manuals: new and changed files are stored, unchanged ones skipped, broken ones reported."""
    path = path or ctx.obj.knowledge.manuals
    try:
        files = ManualStore.manual_files(path)
        manuals = _open(ctx, store)
    except KnowledgeError as e:
        raise _fail(e) from e
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def on_file(result: FileResult) -> None:
            style = STATUS_STYLE[result.status]
            detail = f"{result.chunks} chunks" if result.ok else result.reason
            progress.console.print(
                f"[{style}]{result.status:>9}[/{style}]  {escape(str(result.path))}  {escape(str(detail))}"
            )
            progress.advance(task)

        report = manuals.ingest(path, on_file=on_file)
    console.print(report.summary())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="what to look for, in plain words or exact codes")],
    machine: Annotated[str | None, typer.Option("--machine", "-m", help="machine model, e.g. 'Aquaflow CP-80'")] = None,
    document: Annotated[str | None, typer.Option("--document", "-d", help="manual file name or title")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="how many passages")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, vector or lexical")] = "hybrid",
    store: StoreOption = None,
) -> None:
    """Search the manuals; each passage is shown with its citation and chunk id."""
    try:
        passages = _open(ctx, store).search(query, k, machine_model=machine, document=document, mode=_mode(mode))
    except KnowledgeError as e:
        raise _fail(e) from e
    if not passages:
        console.print("no passages found (is the store empty? run `plant-copilot ingest`)")
    for p in passages:
        console.print(Panel(escape(p.text), title=escape(p.cite()), subtitle=escape(p.chunk_id), title_align="left"))


@app.command()
def show(ctx: typer.Context, chunk_id: Annotated[str, typer.Argument(help="the chunk id of a cited passage")],
         store: StoreOption = None) -> None:
    """Show the passage behind a citation."""
    try:
        p = _open(ctx, store).passage(chunk_id)
    except KnowledgeError as e:
        raise _fail(e) from e
    console.print(Panel(escape(p.text), title=escape(p.cite()), subtitle=escape(p.chunk_id), title_align="left"))


@app.command("list")
def list_manuals(ctx: typer.Context, store: StoreOption = None) -> None:
    """The manuals in the store."""
    table = Table("document", "title", "machine model", "chunks")
    for m in _open(ctx, store).manuals():
        table.add_row(m.document, m.title, m.machine_model or "", str(m.chunks))
    console.print(table)


def _mode(mode: str) -> SearchMode:
    if mode not in ("hybrid", "vector", "lexical"):
        raise typer.BadParameter("use hybrid, vector or lexical", param_hint="--mode")
    return mode  # type: ignore[return-value]
