"""Helpers for the agent tests: a copilot over the running simulator with a scripted model."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from connectors.settings import ConnectorSettings
from copilot.identity.users import User, UserDirectory
from copilot.llm.scripted import ScriptedChatModel, ScriptedReply
from copilot.service import Copilot, Step
from copilot.settings import CopilotSettings
from simulator.process import settings_env
from twin.settings import TwinSettings

USERS = UserDirectory.load(CopilotSettings().users_file)


def user(name: str) -> User:
    return USERS.get(name)


def call(name: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args}


def script(*replies: list[dict] | str, narrowed: bool = False) -> ScriptedChatModel:
    """Each reply is a list of tool calls, or the words of a final answer (``narrowed``: see
    :class:`ScriptedChatModel`)."""
    return ScriptedChatModel(
        replies=[ScriptedReply(content=r) if isinstance(r, str) else ScriptedReply(tool_calls=r) for r in replies],
        narrowed=narrowed,
    )


@asynccontextmanager
async def copilot_on(sim: ConnectorSettings, data_dir: Path, model, **overrides: Any):
    settings = CopilotSettings(data_dir=data_dir, **overrides)
    async with Copilot.open(model, settings=settings, connectors=sim, twin=TwinSettings()) as copilot:
        yield copilot


async def ask(copilot: Copilot, who: str, text: str, thread_id: str | None = None) -> list[Step]:
    return [s async for s in copilot.ask(user(who), text, thread_id=thread_id)]


def cli(sim: ConnectorSettings, data_dir: Path, script_file: Path, *args: str, password: str = "",
        stdin: str = "") -> subprocess.CompletedProcess:
    """``plant-copilot ARGS`` in a process of its own, on a scripted model, with COPILOT_PASSWORD set."""
    env = {
        **os.environ,
        **settings_env(sim),
        "COPILOT_DATA_DIR": str(data_dir),
        "COPILOT_PROVIDER": "scripted",
        "COPILOT_SCRIPT_FILE": str(script_file),
        "COPILOT_PASSWORD": password,
    }
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, input=stdin)


def results(steps: list[Step], tool: str | None = None) -> list[Step]:
    return [s for s in steps if s.kind == "result" and (tool is None or s.tool == tool)]


def waiting(steps: list[Step]) -> list[Step]:
    return [s for s in steps if s.kind == "waiting"]


class SimControl:
    """The simulator's control API, for planting faults and text the way an eval would."""

    def __init__(self, sim: ConnectorSettings) -> None:
        self._http = httpx.Client(base_url=sim.sim_url, timeout=10)

    def fault(self, kind: str, **fields: Any) -> None:
        self._http.post("/faults", json={"kind": kind, **fields}).raise_for_status()

    def clear(self) -> None:
        self._http.delete("/faults").raise_for_status()

    def text(self, machine_id: str, tag: str, text: str) -> None:
        self._http.post("/text", json={"machine_id": machine_id, "tag": tag, "text": text}).raise_for_status()

    def advance(self, seconds: float) -> None:
        self._http.post("/advance", json={"seconds": seconds}).raise_for_status()

    def close(self) -> None:
        self._http.close()
