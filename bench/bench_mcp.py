"""What the gate costs an MCP client: a read over MCP (the SDK's client, the server's handlers, the policy
gate, the ledger and the audit log, a conversation's checkpoint) against calling the tool's function
directly on the same connectors.

    python bench/bench_mcp.py [--calls 50] [--http]

On a fresh simulator (simulator/process.py). In-process by default (the SDK's client on the server object,
no transport); ``--http`` adds the streamable HTTP transport on a loopback port with a bearer token.
Prints per path the mean, p50 and p95 latency in ms and the gate's overhead per call.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402
import uvicorn  # noqa: E402
from mcp import Client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from copilot.identity.access_tokens import AccessTokens  # noqa: E402
from copilot.identity.users import UsersFile  # noqa: E402
from copilot.llm.absent import NoModel  # noqa: E402
from copilot.service import Copilot  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from simulator.process import running_simulator  # noqa: E402
from tools.base import Call  # noqa: E402
from twin.settings import TwinSettings  # noqa: E402
from ui.mcp_gate import BearerGate  # noqa: E402
from ui.mcp_identity import StdioCaller  # noqa: E402
from ui.mcp_listing import systems_of  # noqa: E402
from ui.mcp_server import PlantMcp  # noqa: E402

ARGS = {"machine_id": "P-101"}


def figures(name: str, ms: list[float]) -> str:
    """One printed row: the name, mean, p50 and p95 of the milliseconds ``ms``."""
    q = statistics.quantiles(ms, n=20)
    return f"{name:<28} mean {statistics.fmean(ms):7.1f} ms   p50 {statistics.median(ms):7.1f}   p95 {q[18]:7.1f}"


async def timed(calls: int, once) -> list[float]:
    """Milliseconds of each of ``calls`` awaits of ``once``, after one warm-up call."""
    await once()  # the first call opens connections and caches
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        await once()
        out.append((time.perf_counter() - start) * 1000)
    return out


async def main(calls: int, http: bool) -> None:
    """Time the read directly, over MCP in process, and (``http``) over streamable HTTP; print each."""
    with tempfile.TemporaryDirectory() as tmp, running_simulator(Path(tmp) / "sim") as sim:
        settings = CopilotSettings(data_dir=Path(tmp) / "data")
        async with Copilot.open(NoModel(), settings=settings, connectors=sim, twin=TwinSettings()) as copilot:
            tokens = AccessTokens(settings.state_db)
            mcp = PlantMcp(copilot, UsersFile(settings.users_file), tokens, stdio=StdioCaller("olga"),
                           systems=systems_of(sim, copilot.plant, manuals=False))
            tool, deps = copilot.tools["machine_status"], copilot.rt.deps
            args = tool.args.model_validate(ARGS)
            direct = await timed(calls, lambda: tool.run(deps, args, Call(requester="olga", idempotency_key="b")))
            async with Client(mcp.server()) as client:
                inproc = await timed(calls, lambda: client.call_tool("machine_status", ARGS))
            rows = [("tool function, direct", direct), ("MCP in-process, gated", inproc)]
            if http:
                import socket

                with socket.socket() as s:
                    s.bind(("127.0.0.1", 0))
                    port = s.getsockname()[1]
                _, secret = tokens.create("olga", "bench")
                app = BearerGate(mcp.server().streamable_http_app(host="127.0.0.1"), tokens, copilot)
                server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
                serving = asyncio.create_task(server.serve())
                while not server.started:
                    await asyncio.sleep(0.05)
                client_http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {secret}"}, timeout=30)
                async with Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=client_http)) as c:
                    over_http = await timed(calls, lambda: c.call_tool("machine_status", ARGS))
                    rows.append(("MCP over HTTP, gated", over_http))
                server.should_exit = True
                await serving
            tokens.close()
    print(f"machine_status P-101, {calls} calls each (2 cores)")
    for name, ms in rows:
        print(figures(name, ms))
    base = statistics.median(direct)
    for name, ms in rows[1:]:
        print(f"gate overhead, {name:<20} +{statistics.median(ms) - base:6.1f} ms per call (median)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--http", action="store_true")
    ns = parser.parse_args()
    asyncio.run(main(ns.calls, ns.http))
