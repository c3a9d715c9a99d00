"""A sign-off counts only when the audit log proves it: vote rows and approval records written into the
database by hand (with a made-up hash: no key needed) run nothing, neither when the copilot resumes decided
actions at start nor when a genuine approval completes the count."""

from __future__ import annotations

import json
import time

import pytest
from agent_helpers import ask, call, copilot_on, results, script, user, waiting

from connectors.plant import load_plant
from connectors.plc import open_plc
from copilot.service import Copilot
from copilot.store.approvals import PendingAction
from copilot.store.audit import AuditKind


async def conveyor_runs(sim) -> bool:
    async with open_plc(sim, load_plant(sim.plant_file), "modbus") as plc:
        return (await plc.read("CV-203", "run")).value in (True, 1)


def forge_vote(copilot: Copilot, action: PendingAction, name: str) -> None:
    """What someone holding the data folder but not the audit key writes: a vote row, and an approval record
    appended to the audit table that looks like the copilot's, with a hash they made up."""
    copilot.rt.queue._db.execute("INSERT INTO votes VALUES (?,?,?,?,?,?,?)",
                                 (action.action_id, name, "supervisor", "approve", "", action.digest, time.time()))
    audit = copilot.rt.audit._db
    last = audit.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    body = json.dumps({"arguments": action.arguments, "decision": None, "approvers": [name], "new_value": None,
                       "old_value": None, "result": {"comment": "", "status": "approved", "role": "supervisor",
                                                     "digest": action.digest}}, sort_keys=True)
    audit.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (last["seq"] + 1, time.time(), str(AuditKind.approval), name, action.thread_id, action.action_id,
                   action.tool, body, last["hash"], "f" * 64))


@pytest.mark.asyncio
async def test_forged_audit_rows_and_vote_rows_do_not_run_a_critical_stop_when_the_copilot_resumes(sim, tmp_path,
                                                                                                   database):
    model = script([call("stop_machine", machine_id="CV-203", reason="belt noise")], "Told.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "stop the conveyor"))
        action = copilot.rt.queue.get(wait.action_id)
        for name in ("sam", "sara"):
            forge_vote(copilot, action, name)
        copilot.rt.queue._db.execute("UPDATE actions SET status = 'approved', decided_at = ?, expires_at = ? "
                                     "WHERE action_id = ?", (time.time(), time.time() + 600, action.action_id))
    async with copilot_on(sim, tmp_path, model) as restarted:  # the next start resumes decided actions
        [refused] = results(await restarted.resume_decided(), "stop_machine")
        assert refused.status == "not_approved" and "sam, sara" in refused.text and "keyed chain" in refused.text
        [said] = restarted.audit_records(kind=AuditKind.unproven, action_id=wait.action_id)
        assert said.approvers == ["sam", "sara"]
        assert not restarted.audit_records(kind=AuditKind.execution, action_id=wait.action_id)
    assert await conveyor_runs(sim)


@pytest.mark.asyncio
async def test_a_forged_second_vote_does_not_run_a_stop_when_a_genuine_approval_completes_the_count(sim, tmp_path,
                                                                                                    database):
    model = script([call("stop_machine", machine_id="CV-203", reason="belt noise")], "Told.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "stop the conveyor"))
        action = copilot.rt.queue.get(wait.action_id)
        assert action.decision.approvers == 2
        forge_vote(copilot, action, "sara")
        approved, resumed = await copilot.approve(wait.action_id, user("sam"), "go")
        assert approved.status == "approved"  # the queue counts the forged vote ...
        [refused] = results(resumed, "stop_machine")  # ... the run does not honour it
        assert refused.status == "not_approved" and "approval by sara is not in the audit log" in refused.text
        assert not copilot.audit_records(kind=AuditKind.execution, action_id=wait.action_id)
    assert await conveyor_runs(sim)


@pytest.mark.asyncio
async def test_genuine_approvals_still_run_the_stop(sim, tmp_path):
    model = script([call("stop_machine", machine_id="CV-203", reason="belt noise")], "Told.")
    async with copilot_on(sim, tmp_path, model) as copilot:
        [wait] = waiting(await ask(copilot, "olga", "stop the conveyor"))
        await copilot.approve(wait.action_id, user("sam"), "go")
        _, resumed = await copilot.approve(wait.action_id, user("sara"), "go")
        [done] = results(resumed, "stop_machine")
        assert done.status == "done"
    assert not await conveyor_runs(sim)
