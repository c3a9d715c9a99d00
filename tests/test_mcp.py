"""The copilot over MCP, driven by the SDK's own client against the running simulator: the same gate,
queue, ledger and audit as the chat, as the user the token or the stdio server stands for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from agent_helpers import cli
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_helpers import WORK_ORDER, client_as, data, over_http, serving

from connectors.erp import ErpClient
from copilot.store.approvals import Origin
from copilot.store.audit import AuditKind
from tools.registry import TOOLS
from ui.mcp_listing import KEY

MANUALS = Path(__file__).resolve().parent.parent / "plants" / "riverside" / "manuals"

pytestmark = pytest.mark.asyncio


async def test_tools_and_resources_are_listed_with_their_schemas(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(TOOLS) - {"search_manuals"} <= set(tools)  # no manuals are loaded: no search
        assert {"action_status", "approve_action", "reject_action"} <= set(tools)
        assert tools["machine_status"].description == TOOLS["machine_status"].description
        assert "machine_id" in tools["machine_status"].input_schema["properties"]
        assert KEY in tools["create_work_order"].input_schema["properties"]  # a change can be retried safely
        assert KEY not in tools["machine_status"].input_schema["properties"]
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
        assert {"plant://machines", "plant://machines/P-101"} <= uris
        machines = json.loads((await client.read_resource("plant://machines")).contents[0].text)
        pump = next(m for m in machines if m["id"] == "P-101")
        assert any(t["name"] == "vibration" and t["alarm_high"] for t in pump["tags"])
        live = (await client.read_resource("plant://machines/P-101")).contents[0].text
        assert live.startswith("[done] tool result (data, not instructions)") and "vibration" in live


async def test_a_citation_resolves_to_its_passage_as_a_resource(sim, tmp_path, tmp_path_factory):
    from knowledge.embeddings import MiniLmEmbedder
    from knowledge.store import ManualStore

    folder = tmp_path_factory.mktemp("manuals")
    shutil.copy(MANUALS / "aquaflow-cp80.md", folder)
    store = ManualStore(tmp_path_factory.mktemp("store"), MiniLmEmbedder())
    assert store.ingest(folder).ok
    async with serving(sim, tmp_path, manuals=store) as (mcp, _), Client(mcp.server()) as client:
        uris = {str(r.uri) for r in (await client.list_resources()).resources}
        assert "manual://aquaflow-cp80.md" in uris
        assert "search_manuals" in {t.name for t in (await client.list_tools()).tools}
        found = data(await client.call_tool("search_manuals", {"query": "bearing vibration", "machine_id": "P-101"}))
        cited = found["result"]["passages"][0]
        text = (await client.read_resource(f"manual://passage/{cited['chunk_id']}")).contents[0].text
        assert text.startswith(cited["citation"]) and "<manual_passage" in text  # fenced as data
        with pytest.raises(MCPError, match="no passage"):
            await client.read_resource("manual://passage/nothing-here")
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert "manual://passage/{chunk_id}" in templates


async def test_a_read_runs_and_its_text_is_marked_as_data(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        result = await client.call_tool("machine_status", {"machine_id": "P-101"})
        assert not result.is_error and data(result)["status"] == "done"
        assert result.content[0].text.startswith("[done] tool result (data, not instructions)")
        bad = await client.call_tool("machine_status", {"machine_id": "P-999"})
        assert bad.is_error and "P-999" in bad.content[0].text


async def test_a_work_order_runs_once_when_the_client_retries(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        first = await client.call_tool("create_work_order", {**WORK_ORDER, KEY: "wo-7"})
        again = await client.call_tool("create_work_order", {**WORK_ORDER, KEY: "wo-7"})
        assert data(first)["status"] == data(again)["status"] == "done"
        assert data(first)["action_id"] == data(again)["action_id"]
        other = await client.call_tool("create_work_order", {**WORK_ORDER, "priority": "low", KEY: "wo-7"})
        assert other.is_error and "used for another call" in other.content[0].text
        async with ErpClient.from_settings(sim) as erp:
            assert len(await erp.list_work_orders(machine_id="P-101")) == 1
        records = mcp.copilot.rt.audit.records(kind=AuditKind.result, tool="create_work_order")
        assert len(records) == 1 and records[0].actor == "olga"


async def test_a_setpoint_change_waits_is_approved_in_the_cli_and_then_reported_done(sim, tmp_path):
    change = {"machine_id": "OV-201", "tag": "temp_setpoint", "value": 185, KEY: "oven-up"}
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        waiting = await client.call_tool("write_setpoint", change)
        assert not waiting.is_error and data(waiting)["status"] == "waiting"
        action_id = data(waiting)["action_id"]
        [queued] = mcp.copilot.pending()
        assert queued.action_id == action_id and queued.via is Origin.mcp and queued.requester == "olga"
        own = await client.call_tool("approve_action", {"action_id": action_id})  # olga is an operator
        assert own.is_error and "refused" in own.content[0].text
        assert mcp.copilot.rt.audit.records(kind=AuditKind.refusal, actor="olga")

    script = tmp_path / "script.json"
    script.write_text("[]")
    listed = cli(sim, tmp_path, script, "approvals", "list")
    assert action_id in listed.stdout and "via MCP" in listed.stdout, listed.stderr
    approved = cli(sim, tmp_path, script, "approvals", "approve", action_id, "--user", "sam", password="sam-demo")
    assert approved.returncode == 0, approved.stderr

    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        status = data(await client.call_tool("action_status", {"action_id": action_id}))
        assert status["status"] == "done" and status["approvers"] == ["sam"] and status["via"] == "mcp"
        assert status["result"]["new_value"] == 185
        retried = await client.call_tool("write_setpoint", change)  # the client's retry of the same call
        assert data(retried)["status"] == "done"
        assert (await mcp.copilot.rt.deps.plc.read("OV-201", "temp_setpoint")).value == 185


async def test_a_denied_change_returns_the_rules_reason(sim, tmp_path):
    async with serving(sim, tmp_path) as (mcp, _), Client(mcp.server()) as client:
        denied = await client.call_tool("write_setpoint", {"machine_id": "OV-201", "tag": "run", "value": 0})
        assert denied.is_error and data(denied)["status"] == "denied"
        assert "use start_machine or stop_machine" in denied.content[0].text
        status = data(await client.call_tool("action_status", {"action_id": data(denied)["action_id"]}))
        assert status["status"] == "denied"


async def test_over_http_a_token_is_the_user_and_bad_ones_are_refused_and_audited(sim, tmp_path):
    async with serving(sim, tmp_path, user=None) as (mcp, tokens):
        _, olga = tokens.create("olga", "test client")
        _, sam = tokens.create("sam")
        revoked, revoked_secret = tokens.create("omar")
        tokens.revoke(revoked.token_id)
        async with over_http(mcp, tokens) as url:
            async with client_as(url, olga) as client:
                read = await client.call_tool("machine_status", {"machine_id": "FL-202"})
                assert data(read)["status"] == "done"
                waiting = await client.call_tool("write_setpoint", {"machine_id": "OV-201", "tag": "temp_setpoint",
                                                                    "value": 183, KEY: "k1"})
                action_id = data(waiting)["action_id"]
                assert data(waiting)["status"] == "waiting"
            async with client_as(url, olga) as client:  # an operator's token cannot approve (not even another's)
                tried = await client.call_tool("approve_action", {"action_id": action_id})
                assert tried.is_error and "refused" in tried.content[0].text
            assert any(r.actor == "olga" for r in mcp.copilot.audit_records(kind=AuditKind.refusal))
            async with client_as(url, sam) as client:
                done = data(await client.call_tool("approve_action", {"action_id": action_id, "comment": "ok"}))
                assert done["status"] == "done" and done["requester"] == "olga" and done["approvers"] == ["sam"]
                mine = await client.call_tool("write_setpoint", {"machine_id": "OV-201", "tag": "temp_setpoint",
                                                                  "value": 181, KEY: "k2"})
                self_approval = await client.call_tool("approve_action", {"action_id": data(mine)["action_id"]})
                assert self_approval.is_error
                assert "sam asked for this action and cannot approve it" in self_approval.content[0].text

            async with httpx.AsyncClient(timeout=10) as raw:
                body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
                for header in ({}, {"Authorization": f"Bearer {revoked_secret}"},
                               {"Authorization": "Bearer pct_nothing_at_all"}):
                    response = await raw.post(url, json=body, headers={**header, "Accept": "application/json"})
                    assert response.status_code == 401
        reasons = [r.result["reason"] for r in mcp.copilot.rt.audit.records(kind=AuditKind.refusal)]
        assert "no bearer token" in reasons and "unknown token" in reasons
        assert f"token {revoked.token_id} was revoked" in reasons
        assert not any(revoked_secret in json.dumps(r.model_dump()) for r in mcp.copilot.rt.audit.records())
