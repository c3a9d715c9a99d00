"""Nothing lost or done twice: a kill at any point, a restart, two processes resuming at once, a retry after a
change was sent but not confirmed — each action runs exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from agent_helpers import SimControl, ask, call, copilot_on, results, script, user, waiting
from langchain_core.messages import ToolMessage

from connectors.erp import ErpClient
from copilot.service import ConversationBusy
from simulator.process import settings_env

REPO = Path(__file__).resolve().parents[1]


class PowerCut(Exception):
    """Stands for the process dying."""


async def work_orders(sim, machine: str) -> list:
    async with ErpClient.from_settings(sim) as erp:
        return await erp.list_work_orders(machine_id=machine)


async def purchase_orders(sim) -> list:
    async with ErpClient.from_settings(sim) as erp:
        return await erp.list_purchase_orders()


@pytest.mark.asyncio
async def test_a_kill_right_after_queueing_still_runs_the_approved_action_once(sim, tmp_path, monkeypatch, database):
    order = call("create_purchase_order", part_id="HYD-FLT-10", quantity=40, choose_by="price")
    model = script([order], "Ordered.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        queue = copilot.rt.queue
        real_submit = queue.submit

        def queued_then_dies(**kwargs):  # the action is in the queue; the wait was never saved
            real_submit(**kwargs)
            raise PowerCut

        monkeypatch.setattr(queue, "submit", queued_then_dies)
        with pytest.raises(PowerCut):
            await ask(copilot, "olga", "order 40 return filters")
        [action] = queue.pending()
    async with copilot_on(sim, tmp_path, model) as restarted:  # a new process; the supervisor approves, later
        _, resumed = await restarted.approve(action.action_id, user("sam"))
        assert [s.status for s in results(resumed, "create_purchase_order")] == ["done"]
        assert await restarted.resume_decided() == []  # nothing left to do
    assert [(o.part, o.quantity) for o in await purchase_orders(sim)] == [("HYD-FLT-10", 40)]


@pytest.mark.asyncio
async def test_a_kill_after_an_allowed_work_order_was_made_resumes_it_once_on_restart(sim, tmp_path, monkeypatch,
                                                                                     database):
    job = call("create_work_order", machine_id="P-101", title="bearing noise", priority="high")
    model = script([job], "Opened.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        ledger = copilot.rt.ledger

        def dies(*args, **kwargs):  # the ERP made the work order; the process dies before recording it
            raise PowerCut

        monkeypatch.setattr(ledger, "_finish", dies)
        with pytest.raises(PowerCut):
            await ask(copilot, "olga", "P-101 bearing noise, raise a job")
    assert len(await work_orders(sim, "P-101")) == 1
    async with copilot_on(sim, tmp_path, model) as restarted:
        resumed = await restarted.resume_decided()
        assert [s.status for s in results(resumed, "create_work_order")] == ["done"]
        assert resumed[-1].kind == "answer"
        assert await restarted.resume_decided() == []
    assert len(await work_orders(sim, "P-101")) == 1


@pytest.mark.asyncio
async def test_two_processes_resuming_the_same_decided_actions_run_each_once(sim, tmp_path, monkeypatch, database):
    """Two replicas (processes of their own, on one database) both resume the same approved conversation."""
    parts = ["BRG-6205", "BRG-6308", "SEAL-M25", "HYD-FLT-10", "TC-K-150", "NOZ-RF12"]
    orders = [call("create_purchase_order", part_id=p, quantity=30, choose_by="price") for p in parts]
    async with copilot_on(sim, tmp_path, script(orders, "Ordered.")) as copilot:
        ids = [w.action_id for w in waiting(await ask(copilot, "olga", "order 30 of each"))]
        assert len(ids) == 6

        async def no_resume(action):  # the approvals land while no process resumes (the app was down)
            return []

        monkeypatch.setattr(copilot.runs, "resume_if_decided", no_resume)
        for action_id in ids:
            await copilot.approve(action_id, user("sam"))
    env = {**os.environ, **settings_env(sim), "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}"}
    workers = [subprocess.Popen([sys.executable, str(REPO / "tests" / "resume_worker.py"), str(tmp_path)], env=env,
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=240) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in outputs]
    statuses = [s for out, _ in outputs for s in json.loads(out.strip().splitlines()[-1])]
    assert statuses and set(statuses) == {"done"}  # (a resume runs every decided sibling; it shows its own)
    async with copilot_on(sim, tmp_path, script(orders, "Ordered.")) as after:
        executions = after.rt.audit.records(kind="execution")
        assert [after.rt.ledger.lookup(i).attempts for i in ids] == [1] * 6
        [thread] = {after.rt.queue.get(i).thread_id for i in ids}
        replies = [m.tool_call_id for m in await after.runs.messages(thread) if isinstance(m, ToolMessage)]
        assert sorted(replies) == sorted(ids)  # the conversation was resumed once: one reply per action
        assert after.verify_audit().ok
    assert sorted(r.action_id for r in executions) == sorted(ids)  # each ran once: one execution record each
    assert len(await purchase_orders(sim)) == 6


@pytest.mark.asyncio
async def test_a_retry_after_an_unconfirmed_change_reuses_the_same_action_and_key(sim, tmp_path, database):
    job = call("create_work_order", machine_id="HP-102", title="oil leak", priority="high")
    control = SimControl(sim)
    try:
        control.fault("erp_error")  # the ERP fails the write: it may or may not have been made
        async with copilot_on(sim, tmp_path, script([job], "Not confirmed.", [job], "Opened.")) as copilot:
            first = await ask(copilot, "olga", "HP-102 leaks oil, raise a job", thread_id="t")
            [unsure] = results(first, "create_work_order")
            assert unsure.status == "unconfirmed" and "same idempotency key" in unsure.text
            control.clear()
            second = await ask(copilot, "olga", "try again", thread_id="t")
            [done] = results(second, "create_work_order")
            assert done.status == "done"
            executions = copilot.rt.audit.records(kind="execution")
            assert {r.action_id for r in executions} == {unsure.action_id}  # the retry is the same action
            assert second[-1].kind == "answer"
    finally:
        control.close()
    assert len(await work_orders(sim, "HP-102")) == 1


@pytest.mark.asyncio
async def test_an_approval_landing_while_the_asking_run_ends_is_resumed_by_that_run(sim, tmp_path, monkeypatch,
                                                                                   database):
    """Two replicas: the supervisor's approves the order just as the operator's run reaches its wait and
    still holds the conversation, so the approving replica leaves the resume to it; the run resumes it."""
    order = call("create_purchase_order", part_id="SEAL-M25", quantity=4, choose_by="price")
    model = script([order], "Ordered.")
    async with copilot_on(sim, tmp_path, model) as asking, copilot_on(sim, tmp_path, model) as approving:
        conversations = asking.conversations
        real_end_run = conversations.end_run
        approved: list[list] = []

        def approved_first(thread_id):  # the other replica's approval, before the first run lets the conversation go
            if not approved:
                [action] = approving.pending()
                approved.append(asyncio.run(approving.approve(action.action_id, user("sam")))[1])
            real_end_run(thread_id)

        with ThreadPoolExecutor(1) as other_process:
            monkeypatch.setattr(conversations, "end_run",
                                lambda thread_id: other_process.submit(approved_first, thread_id).result())
            steps = await ask(asking, "olga", "order 4 shaft seals", thread_id="t")
        assert approved == [[]]  # the approving replica found the conversation held and did not resume it
        assert [s.status for s in results(steps, "create_purchase_order")] == ["done"]
    assert [(o.part, o.quantity) for o in await purchase_orders(sim)] == [("SEAL-M25", 4)]


@pytest.mark.asyncio
async def test_a_request_while_an_approved_action_has_not_run_is_busy_and_asks_for_nothing_more(sim, tmp_path,
                                                                                               monkeypatch, database):
    """A retried request (a replica died after the approval, before the run) must not ask for the order again."""
    order = call("create_purchase_order", part_id="HYD-FLT-10", quantity=40, choose_by="price")
    async with copilot_on(sim, tmp_path, script([order], "Ordered.", [order], "Ordered again.")) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "order 40 return filters", thread_id="t"))

        async def no_resume(action):  # the process that would resume it is gone
            return []

        monkeypatch.setattr(copilot.runs, "resume_if_decided", no_resume)
        await copilot.approve(wait.action_id, user("sam"))
        with pytest.raises(ConversationBusy):
            await ask(copilot, "olga", "order 40 return filters", thread_id="t")
        assert [a.action_id for a in copilot.actions_of("t")] == [wait.action_id]
        monkeypatch.undo()
        resumed = await copilot.resume_decided()
        assert [s.status for s in results(resumed, "create_purchase_order")] == ["done"]
    assert [(o.part, o.quantity) for o in await purchase_orders(sim)] == [("HYD-FLT-10", 40)]


@pytest.mark.asyncio
async def test_a_process_killed_the_moment_its_action_is_queued_leaves_a_run_the_approval_resumes(sim, tmp_path,
                                                                                                  database):
    """SIGKILL, not an exception: nothing is flushed, so the conversation's state must already be saved when
    its action enters the queue."""
    env = {**os.environ, **settings_env(sim), "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}"}
    killed = subprocess.run([sys.executable, str(REPO / "tests" / "killed_worker.py"), str(tmp_path)], env=env,
                            cwd=REPO, capture_output=True, text=True, timeout=240)
    assert killed.returncode == -9, killed.stderr[-2000:]
    order = call("create_purchase_order", part_id="HYD-FLT-10", quantity=40, choose_by="price")
    async with copilot_on(sim, tmp_path, script([order], "Ordered.")) as restarted:
        [action] = restarted.pending()
        _, resumed = await restarted.approve(action.action_id, user("sam"))
        assert [s.status for s in results(resumed, "create_purchase_order")] == ["done"]
    assert [(o.part, o.quantity) for o in await purchase_orders(sim)] == [("HYD-FLT-10", 40)]
