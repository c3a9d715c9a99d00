"""``plant-copilot model ...``: check the configured model, and warm the local one up ahead of the first request."""

from __future__ import annotations

import typer

from copilot import configuration
from copilot.llm import ModelIntegrityError, WeightsNotInstalled, make_chat_model

app = typer.Typer(help="The language model: check it, warm it up.", no_args_is_help=True)


@app.command()
def check(ctx: typer.Context) -> None:
    """Show which model the settings choose; for the local one, join and verify its weights and load it."""
    settings = configuration(ctx).llm
    mode = "constrained" if settings.constrained else "native"
    if settings.provider == "openai":
        typer.echo(f"openai-compatible: {settings.base_url or 'https://api.openai.com/v1'} model {settings.model}, "
                   f"{mode} tool calls, key {'set' if settings.api_key else 'not set'}")
        return
    if settings.provider == "scripted":
        typer.echo(f"scripted: {settings.script_file}")
        return
    if settings.provider == "none":
        typer.echo("none: the model is off (COPILOT_PROVIDER=none); every procedure runs from its form "
                   "(plant-copilot form list)")
        return
    from copilot.llm import LocalChatModel  # llama-cpp-python is an optional extra

    model = make_chat_model(settings)
    assert isinstance(model, LocalChatModel)
    try:
        llm = model.loaded()
    except (ModelIntegrityError, WeightsNotInstalled) as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"local: {llm.params.path} (sha256 {model.weights.sha256} verified), loaded in {llm.load_s:.1f} s, "
               f"n_ctx {settings.n_ctx}, {settings.n_threads} threads, {mode} tool calls")


@app.command()
def warm(ctx: typer.Context) -> None:
    """Evaluate the copilot's system prompt and tools once and keep their state, so later starts restore it."""
    from copilot import system_prompt
    from copilot.llm import warm_up
    from tools.registry import discover

    config = configuration(ctx)
    model = make_chat_model(config.llm)
    system = system_prompt(config.connectors.load_plant())
    try:
        done = warm_up(model, system, [t.schema() for t in discover(config.copilot.tool_packages).values()])
    except (ModelIntegrityError, WeightsNotInstalled) as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from None
    if done is None:
        typer.echo("nothing to warm up for this provider")
    else:
        typer.echo(f"{done.how}: {done.prefix_tokens} prefix tokens in {done.seconds:.1f} s")
