"""The simulator's OPC UA Alarms & Conditions (issue #30), seen by asyncua's client and by node-opcua's.

A fault on the running simulator (clock frozen, moved by the control API) drives P-101's vibration past its alarm
limit: a limit alarm event comes, active and unacknowledged; the standard Acknowledge method acknowledges it;
TimedShelve shelves it until its time runs out; a reset clears it. The copilot's alarm list follows the server,
and is refreshed, not kept, when the server restarts. Every wait has a generous deadline.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from agent_helpers import SimControl
from asyncua import Client, ua
from asyncua.common.events import Event
from conftest import free_port
from test_interop import INTEROP, NODE, needs_node_opcua

from connectors.plc import open_plc
from connectors.plc.alarms import AlarmCondition
from connectors.settings import ConnectorSettings
from simulator.faults import Fault, FaultBoard, FaultKind
from simulator.opcua_server import OpcUaUser, start_opcua_server
from simulator.physics import PlantSimulation
from tools.active_alarms import ActiveAlarmsArgs, active_alarms
from tools.base import Call
from tools.deps import Deps

DEADLINE_S = 30.0
CONDITION = ua.NodeId("L1.P-101.vibration_high", 2)


class Events:
    """The alarm events an asyncua subscription delivered, in order."""

    def __init__(self) -> None:
        self.seen: list[Event] = []
        self._arrived = asyncio.Event()

    def event_notification(self, event: Event) -> None:
        self.seen.append(event)
        self._arrived.set()

    async def wait_for(self, what: str, match: Callable[[Event], bool], after: int = 0) -> Event:
        """The first event from index ``after`` on that matches, waiting up to DEADLINE_S for it."""
        deadline = asyncio.get_running_loop().time() + DEADLINE_S
        while True:
            found = [e for e in self.seen[after:] if match(e)]
            if found:
                return found[0]
            left = deadline - asyncio.get_running_loop().time()
            seen = [(e.ConditionName, e.Message) for e in self.seen]
            assert left > 0, f"no {what} within {DEADLINE_S:g} s; saw {seen}"
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                pass


def of_vibration(e: Event) -> bool:
    return getattr(e, "NodeId", None) == CONDITION


@pytest.fixture
async def alarms(sim) -> AsyncIterator[tuple[Client, Events]]:
    client = Client(sim.opcua_url, timeout=10)
    await client.connect()
    events = Events()
    subscription = await client.create_subscription(100, events)
    await subscription.subscribe_alarms_and_conditions(client.nodes.server, ua.ObjectIds.AlarmConditionType)
    # the server judges its conditions at a refresh: the plant's reset is seen before the test raises an alarm
    await call(client, ua.NodeId(ua.ObjectIds.ConditionType), ua.ObjectIds.ConditionType_ConditionRefresh,
               ua.Variant(subscription.subscription_id, ua.VariantType.UInt32))
    try:
        yield client, events
    finally:
        await client.disconnect()


async def raise_vibration(sim, events: Events) -> Event:
    control = SimControl(sim)
    try:
        control.fault("bearing_wear", machine_id="P-101", severity=1.0)
        control.advance(3600)
    finally:
        control.close()
    return await events.wait_for("active vibration alarm", lambda e: of_vibration(e) and getattr(e, "ActiveState/Id"))


async def eventually(what: str, check: Callable[[], object]):
    """``await check()`` until it gives something true, for up to DEADLINE_S; that thing."""
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while not (found := await check()):
        assert asyncio.get_running_loop().time() < deadline, f"no {what} within {DEADLINE_S:g} s"
        await asyncio.sleep(0.1)
    return found


def vibration_of(conditions: list[AlarmCondition] | None) -> AlarmCondition | None:
    return next((c for c in conditions or [] if c.condition == "vibration_high"), None)


async def call(client: Client, object_id: ua.NodeId, method: int, *args: ua.Variant) -> None:
    await client.get_node(object_id).call_method(ua.NodeId(method), *args)


async def test_a_limit_crossed_raises_an_alarm_that_acknowledge_changes_and_a_reset_clears(sim, alarms):
    client, events = alarms
    raised = await raise_vibration(sim, events)
    assert raised.SourceName == "P-101" and raised.Severity == 600 and raised.Retain
    assert getattr(raised, "AckedState/Id") is False and getattr(raised, "ConfirmedState/Id") is False
    assert "vibration" in raised.Message.Text and "above alarm limit 7.1 mm/s" in raised.Message.Text

    event_id = ua.Variant(raised.EventId, ua.VariantType.ByteString)
    mark = len(events.seen)
    await call(client, CONDITION, ua.ObjectIds.AcknowledgeableConditionType_Acknowledge, event_id,
               ua.Variant(ua.LocalizedText("seen, maintenance called"), ua.VariantType.LocalizedText))
    acked = await events.wait_for("acknowledgement", lambda e: of_vibration(e) and getattr(e, "AckedState/Id"), mark)
    assert getattr(acked, "ActiveState/Id") and acked.Retain and acked.Comment.Text == "seen, maintenance called"
    with pytest.raises(ua.UaStatusCodeError, match="BadEventIdUnknown"):  # the first event is no longer the last
        await call(client, CONDITION, ua.ObjectIds.AcknowledgeableConditionType_Acknowledge, event_id,
                   ua.Variant(ua.LocalizedText(""), ua.VariantType.LocalizedText))

    mark = len(events.seen)
    httpx.post(f"{sim.sim_url}/reset", timeout=30).raise_for_status()
    cleared = await events.wait_for("cleared alarm", lambda e: of_vibration(e) and not getattr(e, "ActiveState/Id"),
                                    mark)
    assert cleared.Retain is False  # inactive and acknowledged: nothing left to show


async def test_a_timed_shelve_holds_until_its_time_runs_out(sim, alarms):
    client, events = alarms
    await raise_vibration(sim, events)
    shelving = ua.NodeId("L1.P-101.vibration_high.ShelvingState", 2)
    with pytest.raises(ua.UaStatusCodeError, match="BadShelvingTimeOutOfRange"):
        await call(client, shelving, ua.ObjectIds.ShelvedStateMachineType_TimedShelve,
                   ua.Variant(9 * 3600 * 1000.0, ua.VariantType.Double))
    with pytest.raises(ua.UaStatusCodeError, match="BadConditionNotShelved"):
        await call(client, shelving, ua.ObjectIds.ShelvedStateMachineType_Unshelve)

    mark = len(events.seen)
    await call(client, shelving, ua.ObjectIds.ShelvedStateMachineType_TimedShelve,
               ua.Variant(1500.0, ua.VariantType.Double))
    shelved = await events.wait_for("shelving", lambda e: of_vibration(e) and e.SuppressedOrShelved, mark)
    assert getattr(shelved, "ShelvingState/CurrentState").Text == "TimedShelved"
    expired = await events.wait_for("end of shelving", lambda e: of_vibration(e) and not e.SuppressedOrShelved, mark)
    assert getattr(expired, "ShelvingState/CurrentState").Text == "Unshelved"
    assert expired.Message.Text.startswith("shelving expired")


@needs_node_opcua
async def test_node_opcua_sees_the_alarm_through_condition_refresh(sim, alarms):
    _, events = alarms
    await raise_vibration(sim, events)
    done = await asyncio.to_thread(
        subprocess.run, [NODE, str(INTEROP / "alarms_opcua.mjs"), sim.opcua_url], capture_output=True, text=True,
        timeout=60, cwd=INTEROP, env={"PATH": "/usr/bin:/bin", "INTEROP_TIMEOUT_MS": "20000"})
    assert done.returncode == 0, f"node-opcua failed ({done.returncode}): {done.stderr}{done.stdout}"
    conditions = json.loads(done.stdout.strip().splitlines()[-1])["conditions"]
    vibration = [c for c in conditions if c["conditionId"] == CONDITION.to_string()]
    assert vibration, f"node-opcua saw no vibration alarm among {conditions}"
    assert vibration[-1] | {"message": None} == {
        "conditionId": "ns=2;s=L1.P-101.vibration_high", "sourceName": "P-101", "conditionName": "vibration_high",
        "severity": 600, "retain": True, "active": True, "acked": False, "message": None, "shelving": "Unshelved"}


async def test_the_copilots_alarm_list_follows_the_server_and_acknowledges_on_it(sim, alarms):
    _, events = alarms
    plant = sim.load_plant()
    async with open_plc(sim, plant, "opcua") as plc:
        await plc.alarm_conditions("P-101")  # subscribed (and refreshed) before the alarm comes
        await raise_vibration(sim, events)

        async def active() -> AlarmCondition | None:
            found = vibration_of(await plc.alarm_conditions("P-101"))
            return found if found and found.active else None

        listed = await eventually("vibration alarm in the copilot's list", active)
        assert (listed.machine_id, listed.severity, listed.acked, listed.shelved) == ("P-101", 600, False, False)
        assert listed.condition_id == CONDITION.to_string() and "above alarm limit 7.1 mm/s" in listed.message

        deps = Deps(plant=plant, plc=plc, erp=None, mes=None)
        found = await active_alarms.run(deps, ActiveAlarmsArgs(line_id="L1"), Call("olga", "k1"))
        assert found.alarms == [] and vibration_of(found.conditions) is not None
        assert "P-101: vibration" in found.line() and "unacknowledged" in found.line()

        mark = len(events.seen)
        acked = await plc.acknowledge_alarm("P-101", "vibration_high", "on it")
        assert acked.acked and acked.active
        seen = await events.wait_for("acknowledgement on the server", lambda e: of_vibration(e) and getattr(
            e, "AckedState/Id"), mark)
        assert seen.Comment.Text == "on it"
        with pytest.raises(Exception, match="already acknowledged"):
            await plc.acknowledge_alarm("P-101", "vibration_high", "again")
        with pytest.raises(Exception, match="no alarm 'nonsense'"):
            await plc.acknowledge_alarm("P-101", "nonsense", "")


async def test_a_protocol_without_alarm_conditions_keeps_the_tag_based_list(sim):
    plant = sim.load_plant()
    async with open_plc(sim, plant, "modbus") as plc:
        assert await plc.alarm_conditions("P-101") is None
        with pytest.raises(Exception, match="keeps no alarm conditions"):
            await plc.acknowledge_alarm("P-101", "vibration_high", "")


async def test_after_the_server_restarts_the_alarm_list_is_refreshed_not_kept(tmp_path):
    """A server of our own (in this process, on a free port): its alarm, then a restart with the plant healthy."""
    settings = ConnectorSettings(opcua_port=free_port())
    plant = settings.load_plant()

    async def serve(worn: bool):
        sim = PlantSimulation(plant, FaultBoard(), 0)
        if worn:
            sim.inject_fault(Fault(kind=FaultKind.bearing_wear, machine_id="P-101", severity=1.0))
            sim.tick(3600)
        return await start_opcua_server(sim, plant, settings.opcua_url, pki_dir=tmp_path / "pki",
                                        user=OpcUaUser("operator", "pw"))

    server = await serve(worn=True)
    try:
        async with open_plc(settings, plant, "opcua") as plc:
            listed = await eventually("the worn bearing's alarm", lambda: plc_vibration(plc))
            assert listed.active
            await server.stop()
            server = await serve(worn=False)
            assert vibration_of(await plc.alarm_conditions("P-101")) is None  # not the dead session's list
    finally:
        await server.stop()


async def plc_vibration(plc) -> AlarmCondition | None:
    return vibration_of(await plc.alarm_conditions("P-101"))
