"""Acknowledging and shelving an alarm are actions through the policy gate (issue #30).

On the running simulator (its OPC UA server keeps the alarm conditions): an operator's acknowledgement runs at
once and changes the condition's AckedState on the server; a shelving waits for a supervisor, runs when one
approves, and ends by itself when its time runs out. Both are in the audit log. The server's events are watched
by asyncua's client, independently of the copilot's own alarm list.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest
from agent_helpers import ask, call, copilot_on, results, script, user, waiting
from test_interop import INTEROP, NODE, needs_node_opcua
from test_opcua_alarms import (  # noqa: F401 - the fixture is used by name
    CONDITION,
    DEADLINE_S,
    alarms,
    of_vibration,
    raise_vibration,
)
from test_policies import POLICY

from copilot import Origin
from copilot.agent.status import Status
from copilot.store.audit import AuditKind
from policies.engine import evaluate
from policies.model import ActionContext, Allow, RequireApproval, Risk, Role
from tools.registry import TOOLS

CALL = dict(via=Origin.mcp)


async def test_an_operator_acknowledges_through_the_gate_and_the_server_marks_it(sim, tmp_path, alarms):  # noqa: F811
    _, events = alarms
    await raise_vibration(sim, events)
    async with copilot_on(sim, tmp_path, script()) as copilot:
        mark = len(events.seen)
        outcome = await copilot.call_tool(user("olga"), "acknowledge_alarm",
                                          {"machine_id": "P-101", "condition": "vibration", "comment": "on it"}, **CALL)
        assert outcome.status is Status.done, outcome.text
        acked = TOOLS["acknowledge_alarm"].result_of(outcome.result)
        assert (acked.machine_id, acked.condition, acked.acked, acked.active) == ("P-101", "vibration_high", True, True)
        seen = await events.wait_for("acknowledgement", lambda e: of_vibration(e) and getattr(e, "AckedState/Id"),
                                     mark)
        assert seen.Comment.Text == "on it (olga)"
        kinds = [r.kind for r in copilot.audit_records(tool="acknowledge_alarm")]
        assert AuditKind.decision in kinds and AuditKind.result in kinds

        again = await copilot.call_tool(user("olga"), "acknowledge_alarm",
                                        {"machine_id": "P-101", "condition": "vibration_high"}, **CALL)
        assert again.status is Status.error and "already acknowledged" in again.text
        unknown = await copilot.call_tool(user("olga"), "acknowledge_alarm",
                                          {"machine_id": "P-101", "condition": "smoke"}, **CALL)
        assert unknown.status is Status.error and "no alarm 'smoke'" in unknown.text


async def node_opcua_says(watcher: asyncio.subprocess.Process, what: str, match: Callable[[dict], bool]) -> dict:
    """The first line node-opcua prints (a JSON object; its own log lines are skipped) that matches, waiting up to
    DEADLINE_S for it."""
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"node-opcua did not tell {what} within {DEADLINE_S:g} s"
        try:
            line = await asyncio.wait_for(watcher.stdout.readline(), left)
        except TimeoutError:
            continue
        assert line, f"node-opcua ended before telling {what}: {(await watcher.stderr.read()).decode()}"
        try:
            said = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(said, dict) and match(said):
            return said


def vibration_event(said: dict) -> dict | None:
    event = said.get("event")
    return event if event and event["conditionId"] == CONDITION.to_string() else None


@needs_node_opcua
async def test_node_opcua_sees_the_limit_alarm_raised_then_acknowledged_by_the_copilot_through_the_gate(
        sim, tmp_path, alarms):  # noqa: F811
    _, events = alarms
    watcher = await asyncio.create_subprocess_exec(
        NODE, str(INTEROP / "alarms_opcua.mjs"), sim.opcua_url, "--until-acked", CONDITION.to_string(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=INTEROP,
        env={"PATH": "/usr/bin:/bin", "INTEROP_TIMEOUT_MS": str(int(3 * DEADLINE_S * 1000))})
    try:
        await node_opcua_says(watcher, "the end of its refresh", lambda said: said.get("refreshed"))
        await raise_vibration(sim, events)  # the limit crossed while node-opcua watches
        raised = await node_opcua_says(watcher, "the raised alarm", lambda said: (
            e := vibration_event(said)) is not None and e["active"])
        assert raised["event"] | {"message": None} == {
            "conditionId": CONDITION.to_string(), "sourceName": "P-101", "conditionName": "vibration_high",
            "severity": 600, "retain": True, "active": True, "acked": False, "message": None,
            "shelving": "Unshelved", "comment": raised["event"]["comment"]}
        async with copilot_on(sim, tmp_path, script()) as copilot:
            outcome = await copilot.call_tool(user("olga"), "acknowledge_alarm",
                                              {"machine_id": "P-101", "condition": "vibration_high",
                                               "comment": "on it"}, **CALL)
            assert outcome.status is Status.done, outcome.text
            assert [r.actor for r in copilot.audit_records(tool="acknowledge_alarm", kind=AuditKind.result)] == \
                ["olga"]
        acked = await node_opcua_says(watcher, "the acknowledgement", lambda said: (
            e := vibration_event(said)) is not None and e["acked"])
        assert acked["event"]["active"] and acked["event"]["comment"] == "on it (olga)"
        assert await asyncio.wait_for(watcher.wait(), DEADLINE_S) == 0
    finally:
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()


async def test_a_shelving_waits_for_a_supervisor_then_holds_until_its_time_runs_out(sim, tmp_path, alarms):  # noqa: F811
    _, events = alarms
    await raise_vibration(sim, events)
    arguments = {"machine_id": "P-101", "condition": "vibration_high", "minutes": 0.05,
                 "reason": "bearing change booked, work order open"}
    async with copilot_on(sim, tmp_path, script()) as copilot:
        mark = len(events.seen)
        outcome = await copilot.call_tool(user("olga"), "shelve_alarm", arguments, **CALL)
        assert outcome.status is Status.waiting, outcome.text
        assert "shelve alarm vibration_high on P-101" in outcome.change
        assert not [e for e in events.seen[mark:] if of_vibration(e) and e.SuppressedOrShelved]  # nothing ran yet

        action, _ = await copilot.approve(outcome.action_id, user("sam"), "ok until the bearing change")
        assert action.status == "approved"
        shelved = await events.wait_for("shelving", lambda e: of_vibration(e) and e.SuppressedOrShelved, mark)
        assert getattr(shelved, "ShelvingState/CurrentState").Text == "TimedShelved"
        expired = await events.wait_for("end of the shelving",
                                        lambda e: of_vibration(e) and not e.SuppressedOrShelved, mark)
        assert expired.Message.Text.startswith("shelving expired")
        approvals = copilot.audit_records(tool="shelve_alarm", kind=AuditKind.approval)
        assert [r.actor for r in approvals] == ["sam"]


@pytest.mark.parametrize("role", [Role.operator, Role.supervisor])
def test_the_policy_lets_operators_acknowledge_and_has_a_supervisor_sign_every_shelving(role):
    assert set(TOOLS) >= {"acknowledge_alarm", "shelve_alarm"}
    ack = ActionContext(tool="acknowledge_alarm", risk=Risk.write, requester="x", role=role, machine_id="P-101")
    shelve = ActionContext(tool="shelve_alarm", risk=Risk.write, requester="x", role=role, machine_id="P-101")
    assert isinstance(evaluate(POLICY, ack), Allow)
    decided = evaluate(POLICY, shelve)
    assert isinstance(decided, RequireApproval) and decided.approvers == 1
    assert set(decided.roles) == {Role.supervisor, Role.admin}


async def test_in_the_chat_an_operator_acknowledges_and_a_shelving_waits(sim, tmp_path, alarms):  # noqa: F811
    _, events = alarms
    await raise_vibration(sim, events)
    model = script([call("acknowledge_alarm_on_machine", machine="P-101", alarm="vibration")])
    async with copilot_on(sim, tmp_path / "ack", model) as copilot:
        mark = len(events.seen)
        steps = await ask(copilot, "olga", "ack the vibration alarm on the pump")
        [done] = results(steps, "acknowledge_alarm")
        assert done.status == "done", done.text
        seen = await events.wait_for("acknowledgement", lambda e: of_vibration(e) and getattr(e, "AckedState/Id"),
                                     mark)
        assert seen.Comment.Text == "ack the vibration alarm on the pump (olga)"

    model = script([call("shelve_alarm_for_a_time", machine="P-101", alarm="vibration", minutes=90)])
    async with copilot_on(sim, tmp_path / "shelve", model) as copilot:
        steps = await ask(copilot, "olga", "shelve the pump's vibration alarm for 90 minutes, the bearing change "
                                           "is booked")
        [wait] = waiting(steps)
        assert wait.change.startswith("shelve alarm vibration_high on P-101 (severity 600) for 90 min: shelve the")
        assert [a.action_id for a in copilot.pending()] == [wait.action_id]  # waits for a supervisor
