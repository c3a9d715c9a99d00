"""The MCP face as real clients meet it (the SDK's own client): the approver gets what its approval ran, a 401
says why, a template's %-encoded URI resolves, tools have output schemas and hints, only the plant's systems'
tools are listed, and a missing resource is one protocol error."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_helpers import WORK_ORDER, client_as, data, over_http, serving

from connectors.settings import ConnectorSettings
from copilot import System
from ui.mcp_listing import KEY, systems_of

MANUALS = Path(__file__).resolve().parent.parent / "plants" / "riverside" / "manuals"

pytestmark = pytest.mark.asyncio


async def test_an_engineer_who_approves_gets_the_result_of_the_approval(sim, tmp_path):
    change = {"machine_id": "OV-201", "tag": "temp_setpoint", "value": 185, KEY: "eng-1"}
    async with serving(sim, tmp_path, user="olga") as (mcp, _), Client(mcp.server()) as client:
        action_id = data(await client.call_tool("write_setpoint", change))["action_id"]
    async with serving(sim, tmp_path, user="eli") as (mcp, _), Client(mcp.server()) as client:
        approved = await client.call_tool("approve_action", {"action_id": action_id, "comment": "checked"})
        assert not approved.is_error, approved.content
        assert data(approved)["status"] == "done" and data(approved)["approvers"] == ["eli"]
        assert data(await client.call_tool("action_status", {"action_id": action_id}))["status"] == "done"


async def test_a_401_says_why_in_its_header_and_to_the_sdk_client(sim, tmp_path):
    async with serving(sim, tmp_path, user=None) as (mcp, tokens):
        made, secret = tokens.create("omar")
        tokens.revoke(made.token_id)
        async with over_http(mcp, tokens) as url:
            async with httpx.AsyncClient(timeout=10) as raw:
                response = await raw.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                          headers={"Authorization": f"Bearer {secret}", "Accept": "application/json"})
            challenge = response.headers["www-authenticate"]
            assert response.status_code == 401 and 'error="invalid_token"' in challenge
            assert f'error_description="token {made.token_id} was revoked"' in challenge
            assert "was revoked" in response.json()["error"]["message"]
            with pytest.raises(BaseException) as caught:  # the SDK's client raises it out of its task group
                async with client_as(url, secret) as client:
                    await client.list_tools()
            assert any(isinstance(e, MCPError) and "was revoked" in str(e) for e in _leaves(caught.value))


async def test_a_percent_encoded_passage_uri_resolves(sim, tmp_path, tmp_path_factory):
    from knowledge.embeddings import MiniLmEmbedder
    from knowledge.store import ManualStore

    folder = tmp_path_factory.mktemp("manuals")
    shutil.copy(MANUALS / "aquaflow-cp80.md", folder)
    store = ManualStore(tmp_path_factory.mktemp("store"), MiniLmEmbedder())
    assert store.ingest(folder).ok
    async with serving(sim, tmp_path, manuals=store) as (mcp, _), Client(mcp.server()) as client:
        found = data(await client.call_tool("search_manuals", {"query": "bearing vibration", "machine_id": "P-101"}))
        cited = found["result"]["passages"][0]
        text = (await client.read_resource(f"manual://passage/{quote(cited['chunk_id'], safe='')}")).contents[0].text
        assert text.startswith(cited["citation"])


async def test_every_tool_has_an_output_schema_hints_and_structured_results(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert all(t.output_schema and t.annotations for t in tools.values())
        assert tools["machine_status"].annotations.read_only_hint is True
        assert tools["stop_machine"].annotations.destructive_hint is True
        assert tools["create_work_order"].annotations.read_only_hint is False
        assert tools["pending_actions"].annotations.read_only_hint is True
        assert tools["approve_action"].annotations.destructive_hint is True
        read = await client.call_tool("machine_status", {"machine_id": "P-101"})  # the client checks the schema
        assert data(read)["result"]["machine_id"] == "P-101" and read.content[0].text.startswith("[done]")
        made = await client.call_tool("create_work_order", {**WORK_ORDER, KEY: "schema-1"})
        assert data(made)["result"]["id"].startswith("WO-")
        queued = await client.call_tool("pending_actions", {})
        assert data(queued) == {"actions": []}


def _leaves(exc: BaseException) -> list[BaseException]:
    inner = getattr(exc, "exceptions", None)
    return [leaf for e in inner for leaf in _leaves(e)] if inner else [exc]


def _bare(raw: dict) -> None:
    for key in ("suppliers", "parts", "products", "production_orders"):
        raw[key] = []
    for line in raw["lines"]:
        for machine in line["machines"]:
            machine.pop("bom", None)


async def test_a_plant_without_erp_or_mes_lists_no_erp_or_mes_tools(sim, tmp_path):
    from plant_edits import plant_with

    bare = plant_with(tmp_path, _bare)
    unset = ConnectorSettings(plant_file=tmp_path / "plant.yaml")  # the ERP's and MES's default address
    assert systems_of(unset, bare, manuals=False) == frozenset()
    assert systems_of(sim, bare, manuals=False) == {System.erp, System.mes, System.plm}  # their address is set
    assert systems_of(unset, sim.load_plant(), manuals=True) == set(System) - {System.plm}  # no PLM file beside it
    async with serving(sim, tmp_path / "data") as (mcp, _):
        mcp.systems = frozenset()
        async with Client(mcp.server()) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "machine_status" in names and "write_setpoint" in names
            assert not names & {"create_work_order", "inventory", "tag_history", "production_orders"}
            refused = await client.call_tool("create_work_order", {**WORK_ORDER, KEY: "none"})
            assert refused.is_error and "no tool 'create_work_order' for this plant" in refused.content[0].text


async def test_an_unknown_machine_or_manual_is_the_same_not_found_error(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        with pytest.raises(MCPError, match="resource not found: no machine 'P-999'") as machine:
            await client.read_resource("plant://machines/P-999")
        with pytest.raises(MCPError, match="resource not found") as manual:
            await client.read_resource("manual://nothing.md")
        assert machine.value.error.code == manual.value.error.code
