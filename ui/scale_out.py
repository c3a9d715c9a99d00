"""``plant-copilot scale-out``: the scaled-out form on one machine, every process started, stopped together.

What a company runs on several hosts, here as children of one command on loopback: the durable state on
PostgreSQL (``COPILOT_DATABASE_URL``, or a throwaway server of Debian's binaries), the manuals on a
chromadb server (``PLANT_KNOWLEDGE_URL``, or ``chroma run``), optionally the model served once
(``python -m llama_cpp.server``, the ``openai`` provider in constrained mode), the simulated plant, several
app replicas on consecutive ports (put a proxy with sticky sessions in front of them; none is started
here), the monitor and an MCP server over HTTP. Each child gets the same settings in its environment, so
any replica can take any request and an approval given in one resumes the conversation once. Ctrl-C stops
all of them, as does the death of this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer

from copilot import Configuration
from copilot.llm import QWEN25_CODER_1_5B, model_file
from simulator.process import (
    SimulatorDidNotStart,
    free_ports,
    running_simulator,
    settings_env,
)
from ui.demo import ingest_if_empty, running_app, running_monitor, stop_on_signals
from ui.local_postgres import PostgresUnavailable, running_postgres
from ui.served_processes import (
    ServerDidNotStart,
    chroma_server,
    llama_server,
    running_child,
)

MCP_START_TIMEOUT_S = 60.0
SERVED_ALIAS = "plant-copilot-local"


@dataclass(frozen=True)
class ScaleOut:
    """How many app replicas from which port, the MCP server's port, and whether the model is served once."""

    replicas: int = 2
    port: int = 8501
    mcp_port: int = 8765
    serve_model: bool = False


def served_model_env(base_url: str) -> dict[str, str]:
    """The settings that point a process at the served local model, as the README's served form sets them."""
    return {"COPILOT_PROVIDER": "openai", "COPILOT_BASE_URL": base_url, "COPILOT_MODEL": SERVED_ALIAS,
            "COPILOT_API_KEY": "not-needed", "COPILOT_TOOL_CALL_MODE": "constrained",
            "COPILOT_EXTRA_BODY": json.dumps({"repeat_penalty": 1.0}), "COPILOT_REQUEST_TIMEOUT_S": "1800"}


def mcp_command(port: int) -> list[str]:
    """The command line that serves MCP over HTTP on loopback at ``port``."""
    return [sys.executable, "-m", "ui.cli", "mcp", "serve", "--transport", "http", "--host", "127.0.0.1",
            "--port", str(port)]


def _answers_at_all(url: str) -> bool:
    """Whether anything answers at ``url`` (the MCP server answers 401 without a token)."""
    try:
        httpx.post(url, timeout=2)
        return True
    except httpx.HTTPError:
        return False


def run_scale_out(config: Configuration, form: ScaleOut, work: Path) -> None:
    """Start every process of ``form`` (logs under ``work``) and keep them until Ctrl-C or one stops;
    typer.Exit(1) when one stops or does not start."""
    stop_on_signals()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ) | {"PYTHONUNBUFFERED": "1"}
    children: list[subprocess.Popen] = []
    try:
        with ExitStack() as stack:  # unwinds in reverse: the apps stop first, PostgreSQL last
            if config.copilot.database_url is None:
                (pg_port,) = free_ports(1)
                server = stack.enter_context(running_postgres(pg_port))
                env["COPILOT_DATABASE_URL"] = server.new_database()
                typer.echo(f"postgres: a throwaway server on 127.0.0.1:{pg_port} (set COPILOT_DATABASE_URL for yours)")
            knowledge = config.knowledge
            if knowledge.knowledge_url is None:
                url = stack.enter_context(chroma_server(work / "chroma", work))
                env["PLANT_KNOWLEDGE_URL"] = url
                knowledge = knowledge.model_copy(update={"knowledge_url": url})
                typer.echo(f"manuals: chroma run at {url}")
            ingest_if_empty(knowledge)
            if form.serve_model:
                gguf = model_file(QWEN25_CODER_1_5B, config.llm.model_dir)
                base_url = stack.enter_context(llama_server(gguf, work, n_ctx=config.llm.n_ctx, alias=SERVED_ALIAS))
                env |= served_model_env(base_url)
                typer.echo(f"model: served once at {base_url} (llama_cpp.server)")
            sim = stack.enter_context(running_simulator(work / "sim", plant_file=config.connectors.plant_file,
                                                        at=config.connectors))
            env |= settings_env(sim)
            ports = [form.port + i for i in range(form.replicas)]
            children.append(stack.enter_context(running_child(
                mcp_command(form.mcp_port), work / "mcp.log",
                lambda: _answers_at_all(f"http://127.0.0.1:{form.mcp_port}/mcp"), MCP_START_TIMEOUT_S, env=env)))
            children.append(stack.enter_context(running_monitor(env, work / "monitor.log")))
            children += [stack.enter_context(running_app(port, env, work / f"app-{port}.log")) for port in ports]
            typer.secho("\nPlant Copilot, scaled out, is running:", fg="green", bold=True)
            for port in ports:
                typer.echo(f"  app replica  http://127.0.0.1:{port}")
            typer.echo(f"  MCP server   http://127.0.0.1:{form.mcp_port}/mcp (tokens: plant-copilot mcp token create)")
            typer.echo(f"  monitor, simulator, logs in {work}")
            typer.echo("Stop with Ctrl+C.")
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            gone = next(child for child in children if child.poll() is not None)
            typer.secho(f"{' '.join(map(str, gone.args[:5]))} stopped (code {gone.returncode}); logs in {work}",
                        fg="red", err=True)
            raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("\nstopped")
    except (PostgresUnavailable, ServerDidNotStart, SimulatorDidNotStart) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
