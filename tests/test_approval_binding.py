"""What a supervisor approved is what runs: the policy judges again on fresh facts just before an action runs,
a change of what the approvers saw sends it back for a new approval, and an approval has a deadline to run."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from agent_helpers import SimControl, ask, call, copilot_on, results, script, user, waiting

from connectors.erp import ErpClient
from connectors.plant import load_plant
from connectors.plc import open_plc
from copilot.agent.binding import differences
from copilot.store.approvals import ApprovalQueue, ApprovalStatus, NotPending
from policies.model import ActionFacts, RequireApproval, Role


async def plc_value(sim, machine: str, tag: str):
    async with open_plc(sim, load_plant(sim.plant_file), "modbus") as plc:
        return (await plc.read(machine, tag)).value


def set_price(sim, part: str, supplier: str, price: float) -> None:
    """A supplier's new price list reaches the ERP (as purchasing would enter it)."""
    response = httpx.put(f"{sim.erp_url}/api/v1/parts/{part}/offers/{supplier}", json={"price": price},
                         headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10)
    response.raise_for_status()


@pytest.mark.asyncio
async def test_a_setpoint_approved_while_the_oven_ran_is_not_written_after_it_faulted(sim, tmp_path):
    before = await plc_value(sim, "OV-201", "temp_setpoint")
    model = script([call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=before + 5)], "Told.")
    control = SimControl(sim)
    try:
        async with copilot_on(sim, tmp_path, model) as copilot:
            [wait] = waiting(await ask(copilot, "olga", "raise the oven by 5 degrees"))
            control.fault("jam", machine_id="OV-201")
            control.advance(2)
            _, resumed = await copilot.approve(wait.action_id, user("sam"), "fine while it runs")
            [refused] = results(resumed, "write_setpoint")
            assert refused.status == "denied" and "faulted" in refused.text and "just before it ran" in refused.text
            kinds = [r.kind for r in copilot.rt.audit.records(action_id=wait.action_id)]
            assert "recheck" in kinds and "execution" not in kinds
    finally:
        control.close()
    assert await plc_value(sim, "OV-201", "temp_setpoint") == before


@pytest.mark.asyncio
async def test_a_purchase_order_whose_price_rose_after_approval_is_not_placed_without_a_new_approval(sim, tmp_path):
    model = script([call("create_purchase_order", part_id="HYD-FLT-10", quantity=50, choose_by="price")], "Ordered.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "order 50 return filters"))
        assert "42.00 = 2100.00" in wait.change and copilot.pending()[0].decision.approvers == 1
        set_price(sim, "HYD-FLT-10", "SUP-HYD", 420)
        set_price(sim, "HYD-FLT-10", "SUP-FAST", 450)
        action, resumed = await copilot.approve(wait.action_id, user("sam"), "ok at 2,100")
        assert not results(resumed, "create_purchase_order")  # not placed: it waits again
        [again] = waiting(resumed)
        assert again.action_id == wait.action_id and "amount 2100 → 21000" in again.change
        [queued] = copilot.pending()
        assert queued.decision.approvers == 2 and queued.votes == [] and "420.00 = 21000.00" in queued.change
        async with ErpClient.from_settings(sim) as erp:
            assert await erp.list_purchase_orders(part="HYD-FLT-10") == []

        action, resumed = await copilot.approve(wait.action_id, user("sam"), "21,000 is what it costs now")
        assert action.status == "pending" and resumed == []
        action, resumed = await copilot.approve(wait.action_id, user("sara"))
        [placed] = results(resumed, "create_purchase_order")
        assert placed.status == "done" and sorted(action.approvers) == ["sam", "sara"]
    async with ErpClient.from_settings(sim) as erp:
        [order] = await erp.list_purchase_orders(part="HYD-FLT-10")
    assert order.quantity == 50 and order.unit_price == 420


@pytest.mark.asyncio
async def test_an_approved_action_that_did_not_run_in_time_does_not_run_after_a_restart(sim, tmp_path, monkeypatch,
                                                                                         database):
    before = await plc_value(sim, "OV-201", "temp_setpoint")
    model = script([call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=before + 5)], "Told.")
    async with copilot_on(sim, tmp_path, model, approval_run_within_minutes=0.01) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "raise the oven by 5 degrees"))

        async def dies_before_it_resumes(action):  # the process stops right after the vote was recorded
            return []

        monkeypatch.setattr(copilot.runs, "resume_if_decided", dies_before_it_resumes)
        action, _ = await copilot.approve(wait.action_id, user("sam"))
        assert action.status == "approved"
    time.sleep(1.0)  # longer than the 0.6 s an approval holds here
    async with copilot_on(sim, tmp_path, model, approval_run_within_minutes=0.01) as restarted:
        resumed = await restarted.resume_decided()
        [late] = results(resumed, "write_setpoint")
        assert late.status == "not_approved" and "did not run within" in late.text
        assert restarted.rt.queue.get(wait.action_id).status == ApprovalStatus.expired
    assert await plc_value(sim, "OV-201", "temp_setpoint") == before


@pytest.mark.asyncio
async def test_a_late_vote_keeps_the_action_expired_and_the_conversation_is_told(sim, tmp_path):
    model = script([call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=185)], "Told.")
    async with copilot_on(sim, tmp_path, model, approval_ttl_hours=0.0001) as copilot:  # 0.36 s to decide
        [wait] = waiting(await ask(copilot, "olga", "oven to 185"))
        time.sleep(0.5)
        with pytest.raises(NotPending, match="expired"):
            await copilot.approve(wait.action_id, user("sam"))
        assert copilot.rt.queue.get(wait.action_id).status == ApprovalStatus.expired
        last = (await copilot.runs.messages(copilot.rt.queue.get(wait.action_id).thread_id))[-2:]
        assert any("not run" in str(m.content) and "expired" in str(m.content) for m in last)


def test_facts_edited_in_the_queue_after_the_approval_are_not_approved(tmp_path, database):
    queue = ApprovalQueue(database.location(tmp_path / "q.sqlite"))
    facts = ActionFacts(machine_id="OV-201", machine_state="running", old_value=180, new_value=185, change="c")
    queue.submit(action_id="a1", thread_id="t", requester="olga", requester_role=Role.operator, tool="write_setpoint",
                 arguments={"machine_id": "OV-201", "tag": "temp_setpoint", "value": 185.0}, risk="write",
                 decision=RequireApproval(roles=[Role.supervisor], approvers=1), change="c",
                 facts=facts.model_dump(mode="json"))
    assert queue.approve("a1", "sam", Role.supervisor).approved_as_shown
    queue._db.execute("UPDATE actions SET facts = replace(facts, '185', '195') WHERE action_id = 'a1'")
    assert not queue.get("a1").approved_as_shown
    queue.close()


def test_what_counts_as_moved() -> None:
    seen = ActionFacts(machine_state="running", old_value=180.0, new_value=185.0, amount=2100.0,
                       extra={"supplier_id": "SUP-HYD", "stock": 4, "produced": 10})
    assert differences(seen, seen.model_copy(update={"extra": {"supplier_id": "SUP-HYD", "stock": 3, "produced": 900}}),
                       0.005) == []  # stock and parts produced move by themselves
    assert differences(seen, seen.model_copy(update={"amount": 2105.0}), 0.005) == []  # within 0.5 %
    assert differences(seen, seen.model_copy(update={"amount": 2200.0, "machine_state": "faulted"}), 0.005) == [
        "machine_state running → faulted", "amount 2100 → 2200"]
    assert differences(seen, seen.model_copy(update={"extra": {"supplier_id": "SUP-FAST"}}), 0.005) == [
        "supplier_id SUP-HYD → SUP-FAST"]


@pytest.mark.asyncio
async def test_vote_rows_put_into_the_queue_by_hand_do_not_run_a_critical_stop(sim, tmp_path, database):
    model = script([call("stop_machine", machine_id="CV-203", reason="belt noise")], "Told.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "stop the conveyor"))
        action = copilot.rt.queue.get(wait.action_id)
        db = copilot.rt.queue._db  # someone with the state file writes two approvals into it
        for name in ("sam", "sara"):
            db.execute("INSERT INTO votes VALUES (?,?,?,?,?,?,?)",
                       (action.action_id, name, "supervisor", "approve", "", action.digest, time.time()))
        db.execute("UPDATE actions SET status = 'approved', decided_at = ?, expires_at = ? WHERE action_id = ?",
                   (time.time(), time.time() + 600, action.action_id))
        [refused] = results(await copilot.resume_decided(), "stop_machine")
        assert refused.status == "not_approved" and "not in the audit log" in refused.text
    assert await plc_value(sim, "CV-203", "run") in (True, 1)
