"""Retries and repeats that would double: a client retrying under the same key after a change was sent but not
confirmed sends it again as the same action, and the system that took the key makes it once."""

from __future__ import annotations

import pytest
from agent_helpers import SimControl, ask, call, copilot_on, results, script, user

from connectors.erp import ErpClient
from copilot.agent.status import Status

JOB = {"machine_id": "HP-102", "title": "oil leak at the main cylinder", "priority": "high"}


@pytest.mark.asyncio
async def test_a_retry_under_the_same_key_after_an_unconfirmed_work_order_sends_it_again_and_makes_one(sim, tmp_path):
    control = SimControl(sim)
    try:
        async with copilot_on(sim, tmp_path, script()) as copilot:
            olga = user("olga")
            control.fault("erp_error")  # the ERP fails the write: it may or may not have been made
            first = await copilot.call_tool(olga, "create_work_order", JOB, key="wo-leak")
            assert first.status is Status.unconfirmed
            assert copilot.action_status(first.action_id, olga).status is Status.unconfirmed
            control.clear()
            again = await copilot.call_tool(olga, "create_work_order", JOB, key="wo-leak")
            assert again.status is Status.done and again.action_id == first.action_id
            assert copilot.action_status(first.action_id, olga).status is Status.done
            once_more = await copilot.call_tool(olga, "create_work_order", JOB, key="wo-leak")
            assert once_more.status is Status.done and once_more.result == again.result
            executions = copilot.audit_records(kind="execution", tool="create_work_order")
            assert {r.action_id for r in executions} == {first.action_id} and len(executions) == 2
    finally:
        control.close()
    async with ErpClient.from_settings(sim) as erp:
        assert len(await erp.list_work_orders(machine_id="HP-102")) == 1


@pytest.mark.asyncio
async def test_asking_again_for_the_same_work_order_after_a_restart_is_told_not_made_twice(sim, tmp_path):
    job = call("create_work_order", **JOB)
    model = script([job], "Opened.", [job], "It is already there.")  # the model counts the conversation's replies
    async with copilot_on(sim, tmp_path, model) as copilot:
        [made] = results(await ask(copilot, "olga", "HP-102 leaks oil, raise a job", thread_id="t"),
                         "create_work_order")
        assert made.status == "done"
    async with copilot_on(sim, tmp_path, model) as restarted:
        assert await restarted.resume_decided() == []
        [again] = results(await ask(restarted, "olga", "raise a job for the oil leak on HP-102", thread_id="t"),
                          "create_work_order")
        assert again.status == "blocked" and "already ran in this conversation" in again.text
        assert made.result["id"] in again.text
    async with ErpClient.from_settings(sim) as erp:
        assert len(await erp.list_work_orders(machine_id="HP-102")) == 1
