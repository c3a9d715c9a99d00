"""The maintenance workflow end to end: a supervisor signs off in another process after a restart."""

from __future__ import annotations

import json

import pytest
from agent_helpers import SimControl, ask, call, cli, copilot_on, results, script, waiting

from connectors.erp import ErpClient
from connectors.records import PurchaseOrderCreate, WorkOrderCreate
from copilot import Status
from tools.registry import TOOLS

pytestmark = pytest.mark.asyncio

REPLIES = [
    [call("machine_status", machine_id="P-101"), call("tag_history", machine_id="P-101", tag="vibration", minutes=30)],
    [call("open_work_orders", machine_id="P-101")],
    [call("create_work_order", machine_id="P-101", title="High vibration on P-101 bearings", priority="high",
          description="vibration above alarm limit and rising; suspect bearing wear",
          parts=[{"part": "BRG-6205", "qty": 2}])],
    [call("inventory", part_id="BRG-6205")],
    [call("create_purchase_order", part_id="BRG-6205", quantity=20, choose_by="lead_time",
          reason="stock below reorder point after bearing job")],
    "The purchase order is placed.",
]


async def test_vibration_to_one_approved_purchase_order(sim, tmp_path):
    control = SimControl(sim)
    control.fault("bearing_wear", machine_id="P-101", severity=0.8)
    control.advance(900)
    control.close()
    script_file = tmp_path / "script.json"
    script_file.write_text(json.dumps([{"tool_calls": r} if isinstance(r, list) else {"content": r} for r in REPLIES]))

    async with copilot_on(sim, tmp_path, script(*REPLIES)) as copilot:
        steps = await ask(copilot, "olga", "P-101 is vibrating, what now?")
        status = results(steps, "machine_status")[0].result
        assert any(a["tag"] == "vibration" for a in status["alarms"])
        trend = results(steps, "tag_history")[0].result
        assert trend["change_per_hour"] > 0
        assert results(steps, "create_work_order")[0].status == "done"
        [wait] = waiting(steps)
        assert wait.tool == "create_purchase_order"
    # the copilot's process is gone; a supervisor approves from a terminal
    listed = cli(sim, tmp_path, script_file, "approvals", "list")
    assert wait.action_id in listed.stdout, listed.stderr
    approved = cli(sim, tmp_path, script_file, "approvals", "approve", wait.action_id, "--user", "sam",
                   "--comment", "go", password="sam-demo")
    assert approved.returncode == 0, approved.stderr
    assert "approved" in approved.stdout and "The purchase order is placed." in approved.stdout
    again = cli(sim, tmp_path, script_file, "approvals", "approve", wait.action_id, "--user", "sara",
                password="sara-demo")
    assert again.returncode == 1 and "already approved" in again.stderr

    async with ErpClient.from_settings(sim) as erp:
        orders = await erp.list_purchase_orders(part="BRG-6205")
        work_orders = await erp.list_work_orders(machine_id="P-101")
    assert len(orders) == 1
    assert orders[0].quantity == 20 and orders[0].supplier == "SUP-FAST"  # fastest delivery
    assert [w.priority for w in work_orders] == ["high"]


async def test_open_work_orders_of_one_line(sim, tmp_path):
    async with ErpClient.from_settings(sim) as erp:
        job = WorkOrderCreate(machine_id="HP-102", title="Replace return filter element", priority="medium",
                              description="filter differential pressure high", requested_by="olga")
        await erp.create_work_order(job, idempotency_key="line-jobs-1")
    replies = [[call("open_work_orders", line_id="L1")], [call("open_work_orders", line_id="l2")],
               [call("open_work_orders", line_id="L9")], "Listed."]
    async with copilot_on(sim, tmp_path, script(*replies)) as copilot:
        steps = await ask(copilot, "olga", "any maintenance jobs still open on line 1?")
    on_l1, on_l2, unknown = results(steps, "open_work_orders")
    assert [(w["machine_id"], w["title"]) for w in on_l1.result] == [("HP-102", "Replace return filter element")]
    assert on_l2.result == []
    assert unknown.status is Status.error and "unknown line 'L9'; the plant has: L1, L2" in unknown.text


async def test_purchase_orders_say_who_supplies_and_when(sim, tmp_path):
    async with ErpClient.from_settings(sim) as erp:
        placed = await erp.create_purchase_order(
            PurchaseOrderCreate(part="SEAL-M25", quantity=4, supplier="SUP-ECO", requested_by="olga",
                                reason="seals for the cooling pump"), idempotency_key="po-seals-1")
    replies = [[call("purchase_orders", part_id="SEAL-M25")], [call("purchase_orders", machine_id="HP-102")],
               [call("purchase_orders", part_id="NOPE-1")], "Listed."]
    async with copilot_on(sim, tmp_path, script(*replies)) as copilot:
        steps = await ask(copilot, "olga", "who did that go to, and when's it landing?")
    seals, press, unknown = results(steps, "purchase_orders")
    [order] = seals.result
    assert (order["id"], order["supplier"], order["expected_delivery"]) == \
        (placed.id, "SUP-ECO", placed.expected_delivery.isoformat())
    assert TOOLS["purchase_orders"].line([placed]).endswith(
        f"from {placed.supplier_name} (SUP-ECO), ordered, expected {placed.expected_delivery}, asked by olga")
    assert press.result == []  # the seal is the pump's, not the press's
    assert unknown.status is Status.error and "NOPE-1" in unknown.text
