"""A stdio MCP server proves its user at its start, like every other face: an access token or the user's
password, never a bare name; without one it refuses to start with one line. Driven by the SDK's stdio client."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_helpers import WORK_ORDER, data

from connectors.erp import ErpClient
from copilot.identity.access_tokens import AccessTokens
from copilot.settings import CopilotSettings
from simulator.process import settings_env
from ui.mcp_listing import KEY

SERVE = [sys.executable, "-m", "ui.cli", "mcp", "serve"]


def environment(sim, tmp_path, **extra: str) -> dict[str, str]:
    """The environment of a stdio server on the simulator, without any identity but ``extra``'s."""
    base = {k: v for k, v in os.environ.items() if k not in ("COPILOT_MCP_USER", "COPILOT_MCP_TOKEN",
                                                             "COPILOT_PASSWORD")}
    return {**base, **settings_env(sim), "COPILOT_DATA_DIR": str(tmp_path), **extra}


def refused(env: dict[str, str]) -> subprocess.CompletedProcess:
    """The server started with ``env``, expected to exit before it serves (stdin closed)."""
    return subprocess.run(SERVE, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def one_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_a_stdio_server_without_a_token_or_password_refuses_to_start(sim, tmp_path):
    line = one_line(refused(environment(sim, tmp_path)))
    assert "COPILOT_MCP_TOKEN" in line and "COPILOT_PASSWORD" in line
    named = one_line(refused(environment(sim, tmp_path, COPILOT_MCP_USER="olga")))  # a bare name is not proof
    assert "COPILOT_PASSWORD" in named


def test_a_stdio_server_with_a_wrong_password_or_token_refuses_to_start(sim, tmp_path):
    line = one_line(refused(environment(sim, tmp_path, COPILOT_MCP_USER="sam", COPILOT_PASSWORD="olga-demo")))
    assert "wrong user name or password" in line
    line = one_line(refused(environment(sim, tmp_path, COPILOT_MCP_TOKEN="pct_0000_nothing")))
    assert "unknown token" in line


def test_a_service_account_cannot_serve_over_stdio(sim, tmp_path):
    tokens = AccessTokens(CopilotSettings(data_dir=tmp_path).state_db)
    try:
        _, secret = tokens.create("monitor", "made in the database by hand")
    finally:
        tokens.close()
    line = one_line(refused(environment(sim, tmp_path, COPILOT_MCP_TOKEN=secret)))
    assert "'monitor'" in line and "not a person" in line
    line = one_line(refused(environment(sim, tmp_path, COPILOT_MCP_USER="monitor", COPILOT_PASSWORD="x")))
    assert "wrong user name or password" in line


@pytest.mark.asyncio
async def test_a_stdio_server_with_the_right_password_serves_as_that_user(sim, tmp_path):
    env = environment(sim, tmp_path, COPILOT_MCP_USER="omar", COPILOT_PASSWORD="omar-demo")
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    async with Client(params, read_timeout_seconds=120) as client:
        assert "write_setpoint" in {t.name for t in (await client.list_tools()).tools}
        made = await client.call_tool("create_work_order", {**WORK_ORDER, KEY: "stdio-1"})
        assert data(made)["status"] == "done", made.content
    async with ErpClient.from_settings(sim) as erp:
        [order] = await erp.list_work_orders(machine_id="P-101")
    assert order.requested_by == "omar"


@pytest.mark.asyncio
async def test_a_stdio_server_with_a_token_serves_as_its_user_until_it_is_revoked(sim, tmp_path):
    tokens = AccessTokens(CopilotSettings(data_dir=tmp_path).state_db)
    try:
        made, secret = tokens.create("omar", "desktop client")
        params = StdioServerParameters(command=SERVE[0], args=SERVE[1:],
                                       env=environment(sim, tmp_path, COPILOT_MCP_TOKEN=secret))
        async with Client(params, read_timeout_seconds=120) as client:
            read = await client.call_tool("machine_status", {"machine_id": "P-101"})
            assert data(read)["status"] == "done", read.content
            tokens.revoke(made.token_id)
            after = await client.call_tool("machine_status", {"machine_id": "P-101"})
            assert after.is_error and f"token {made.token_id} was revoked" in after.content[0].text
    finally:
        tokens.close()
