"""The MCP server's handlers around a copilot on the simulator, for the MCP tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx2
import uvicorn
from conftest import free_port
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from connectors.settings import ConnectorSettings
from copilot.identity.access_tokens import AccessTokens
from copilot.identity.users import UsersFile
from copilot.llm.absent import NoModel
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from twin.settings import TwinSettings
from ui.mcp_gate import BearerGate
from ui.mcp_identity import StdioCaller
from ui.mcp_listing import systems_of
from ui.mcp_server import PlantMcp

WORK_ORDER = {"machine_id": "P-101", "title": "Check the bearing of P-101", "priority": "high",
              "description": "vibration rising since the morning"}


def data(result) -> dict:
    return result.structured_content or {}


@contextlib.asynccontextmanager
async def serving(sim: ConnectorSettings, tmp_path, user: str | None = "olga", manuals=None):
    """The MCP server's handlers around a copilot on the simulator; ``user`` as a stdio server proved it."""
    async with Copilot.open(NoModel(), settings=CopilotSettings(data_dir=tmp_path), connectors=sim,
                            twin=TwinSettings(), manuals=manuals) as copilot:
        tokens = AccessTokens(copilot.rt.settings.state_db)
        try:
            systems = systems_of(sim, copilot.plant, manuals=manuals is not None)
            yield PlantMcp(copilot, UsersFile(copilot.rt.settings.users_file), tokens, systems=systems,
                           stdio=StdioCaller(user) if user else None), tokens
        finally:
            tokens.close()


@contextlib.asynccontextmanager
async def over_http(mcp: PlantMcp, tokens: AccessTokens) -> AsyncIterator[str]:
    """The server behind its bearer gate on a free loopback port, until the context ends; yields its URL."""
    port = free_port()
    app = BearerGate(mcp.server().streamable_http_app(host="127.0.0.1"), tokens, mcp.copilot)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serve = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.should_exit = True
        await serve


def client_as(url: str, token: str) -> Client:
    """The SDK's client over streamable HTTP, presenting ``token``."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return Client(streamable_http_client(url, http_client=http))
