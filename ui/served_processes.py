"""Servers the copilot can be pointed at, as child processes on free loopback ports: llama-cpp-python's
OpenAI-compatible server with the local model's GGUF, and chromadb's server (``chroma run``); for the tests
and for ``plant-copilot scale-out``.

Each child dies with the process that started it (Linux sends it SIGTERM should the parent go first) and is
stopped when its block ends; a child that exits or does not answer in time fails with its log.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from simulator.process import die_with_parent, free_ports, stop

CHROMA = Path(sys.executable).with_name("chroma")


class ServerDidNotStart(RuntimeError):
    """The child exited or did not answer in time; the message carries its log."""


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=2).status_code == 200
    return False


@contextlib.contextmanager
def running_child(command: list[str], log: Path, ready: Callable[[], bool], timeout_s: float, *,
                  env: dict[str, str] | None = None, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """``command`` as a child until the block ends, once ``ready()``; ServerDidNotStart with its log otherwise."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd, preexec_fn=die_with_parent)
    try:
        deadline = time.monotonic() + timeout_s
        while not ready():
            if proc.poll() is not None:
                raise ServerDidNotStart(f"{command[0]} exited with code {proc.returncode}:\n"
                                        f"{log.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"{command[0]} did not answer within {timeout_s:g} s:\n"
                                        f"{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        stop(proc)


@contextlib.contextmanager
def llama_server(gguf: Path, work: Path, *, n_ctx: int = 4096, alias: str = "served") -> Iterator[str]:
    """``python -m llama_cpp.server`` serving ``gguf`` as model ``alias``; yields its base URL (``.../v1``).
    Streams are not cut short when another request arrives (``--interrupt_requests False``)."""
    (port,) = free_ports(1)
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", alias,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--interrupt_requests", "False"]
    url = f"http://127.0.0.1:{port}/v1"
    with running_child(command, work / "llama-server.log", lambda: answers(f"{url}/models"), timeout_s=120):
        yield url


@contextlib.contextmanager
def chroma_server(data: Path, work: Path) -> Iterator[str]:
    """``chroma run`` with its data in ``data``; yields its URL once its heartbeat answers."""
    (port,) = free_ports(1)
    command = [str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running_child(command, work / "chroma.log", lambda: answers(f"{url}/api/v2/heartbeat"), timeout_s=60):
        yield url
