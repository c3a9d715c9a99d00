"""``plant-copilot scale-out`` starts the scaled-out form here and stops all of it on Ctrl-C: two app replicas,
the MCP server and the monitor on one PostgreSQL database and one chromadb server, beside the simulated plant."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psycopg

from simulator.process import REPO

STARTED_WITHIN_S = 240


def _answers(url: str, method: str = "GET") -> int | None:
    try:
        return httpx.request(method, url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def _below_the_ephemeral_range(count: int, start: int = 20000) -> int:
    """The first of ``count`` consecutive free loopback ports below the kernel's ephemeral range (32768 and up),
    so no process that scale-out starts meanwhile on a port of the kernel's choosing (the simulator) takes one."""
    for first in range(start, 32768 - count):
        try:
            sockets = []
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no consecutive free ports below 32768")


def test_scale_out_starts_replicas_mcp_and_monitor_on_one_database_and_stops_them_all(postgres_server, tmp_path):
    url = postgres_server.new_database()
    app = _below_the_ephemeral_range(3)
    mcp = app + 2
    replicas = [f"http://127.0.0.1:{app}", f"http://127.0.0.1:{app + 1}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPILOT_", "PLANT_"))} | {
        "COPILOT_DATABASE_URL": url, "COPILOT_PROVIDER": "scripted", "PYTHONUNBUFFERED": "1",
        "COPILOT_AUDIT_KEY_FILE": str(tmp_path / "audit.key"), "COPILOT_AUDIT_HEADS_DIR": str(tmp_path / "heads")}
    log = tmp_path / "scale-out.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "scale-out", "--port", str(app), "--mcp-port",
                                 str(mcp), "--work", str(tmp_path / "work")], cwd=REPO, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTED_WITHIN_S
        while "is running" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert [_answers(f"{r}/_stcore/health") for r in replicas] == [200, 200]
        assert _answers(f"http://127.0.0.1:{mcp}/mcp", "POST") == 401  # no token, no tools
        with psycopg.connect(url) as conn:  # the MCP server and the monitor made their tables in the given database
            stores = {row[0] for row in conn.execute("SELECT store FROM schema_version")}
        assert {"approvals", "ledger", "audit", "alerts"} <= stores, stores
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(60)
    assert code == 0, log.read_text()
    assert [_answers(f"{r}/_stcore/health") for r in replicas] == [None, None]
    assert _answers(f"http://127.0.0.1:{mcp}/mcp", "POST") is None
