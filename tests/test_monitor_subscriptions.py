"""The monitor follows the live tags by OPC UA subscriptions (issue #30): a change the server pushes wakes it.

On the running simulator of each shipped plant (clock frozen, moved by the control API) the monitor runs with a
check interval of an hour, far beyond the test's deadline: a jam seen only on the PLC (one faulted sample in the
history) opens its alert only if the pushed state woke the monitor. On a server of the test's own that stops
and starts again, the followed tags are dropped while it is gone and followed again after, said once in the log.
A Sparkplug B edge node's data are followed the same way, beside OPC UA, until its broker goes away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from agent_helpers import SimControl, script, user
from conftest import free_port

from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.monitor.alerts import Alerts
from copilot.monitor.live import LiveTags
from copilot.monitor.spec import MonitorSpec
from copilot.monitor.watch import ACTOR, Check, Monitor
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.faults import FaultBoard
from simulator.opcua_server import OpcUaUser, start_opcua_server
from simulator.physics import PlantSimulation
from simulator.process import running_simulator
from twin.settings import TwinSettings

DEADLINE_S = 120.0
STOPPED = "machine stopped by a fault"
JAMMED = {"riverside": "CV-203", "dyehouse": "WP-101"}


@pytest.fixture(scope="module")
def dyehouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim.model_copy(update={"site_dir": PLANTS / "dyehouse"})


@pytest.fixture(params=["riverside", "dyehouse"])
def plant_sim(request, tmp_path) -> tuple[str, ConnectorSettings]:
    if request.param == "riverside":
        return request.param, request.getfixturevalue("sim")
    server = request.getfixturevalue("dyehouse_server")
    control = SimControl(server)
    try:
        control.clear()
    finally:
        control.close()
    return request.param, server


@asynccontextmanager
async def monitor_on(sim: ConnectorSettings, data_dir: Path) -> AsyncIterator[Monitor]:
    """A monitor of only the stop detection, checking every hour, on the simulator's plant."""
    settings = CopilotSettings(data_dir=data_dir, site_dir=sim.site_dir)
    async with Copilot.open(script(), settings=settings, connectors=sim, twin=TwinSettings(site_dir=sim.site_dir)) \
            as copilot:
        spec = MonitorSpec.load(settings.monitor_file, copilot.plant, copilot.procedures)
        hourly = spec.model_copy(update={"interval_s": 3600.0, "alarms": None,
                                         "detections": [d for d in spec.detections if d.name == STOPPED]})
        assert hourly.detections, "the stop detection watches this plant"
        alerts = Alerts(settings.state_db)
        try:
            yield Monitor(copilot, hourly, alerts, user(ACTOR))
        finally:
            alerts.close()


async def eventually(what: str, check: Callable[[], object]):
    """``check()`` until it gives something true, for up to DEADLINE_S; that thing."""
    deadline = asyncio.get_running_loop().time() + DEADLINE_S
    while not (found := check()):
        assert asyncio.get_running_loop().time() < deadline, f"no {what} within {DEADLINE_S:g} s"
        await asyncio.sleep(0.1)
    return found


async def test_a_pushed_change_wakes_the_monitor_and_opens_the_alert_before_the_next_check(plant_sim, tmp_path):
    name, sim = plant_sim
    machine_id = JAMMED[name]
    control = SimControl(sim)
    passes: list[Check] = []
    stop = asyncio.Event()
    try:
        control.advance(30)
        async with monitor_on(sim, tmp_path) as monitor:
            running = asyncio.create_task(monitor.run(stop, told=passes.append))
            await eventually("first check", lambda: passes)  # the hourly check has run: the next is an hour away
            assert not [a for p in passes for a in p.opened]
            control.fault("jam", machine_id=machine_id)
            control.advance(1)  # one faulted sample in the history: only the PLC's state tells it yet
            opened = await eventually("alert of the jam", lambda: [a for p in passes for a in p.opened])
            assert [(a.machine_id, a.cause) for a in opened] == [(machine_id, STOPPED)]
            assert len(passes) >= 2 and running.done() is False
            stop.set()
            await asyncio.wait_for(running, DEADLINE_S)
    finally:
        stop.set()
        control.clear()
        control.close()


async def test_a_lost_server_is_resubscribed_and_said_once_in_the_log(tmp_path, caplog):
    settings = ConnectorSettings(opcua_port=free_port())
    plant = settings.load_plant()
    sim = PlantSimulation(plant, FaultBoard(), 0)

    async def serve():
        return await start_opcua_server(sim, plant, settings.opcua_url, pki_dir=tmp_path / "pki",
                                        user=OpcUaUser("operator", "pw"))

    from connectors.plc import open_plc

    server = await serve()
    caplog.set_level(logging.INFO)
    try:
        async with open_plc(settings, plant, "opcua") as plc:
            live = LiveTags(plc, {"P-101": ["vibration", "state"], "OV-201": ["zone_temp"]})
            following = asyncio.create_task(live.follow())
            try:
                first = await eventually("followed values", lambda: live.values("P-101", ["vibration", "state"]))
                assert first["state"] == 1.0
                await server.stop()
                await eventually("the loss", lambda: live.values("P-101", ["vibration"]) is None)
                sim.tick(60)
                server = await serve()
                again = await eventually("values followed again", lambda: live.values("P-101", ["vibration"]))
                assert again["vibration"] == pytest.approx(sim.read("P-101", "vibration"), rel=1e-6)
                assert live.changed() >= {"P-101", "OV-201"}
            finally:
                following.cancel()
                await asyncio.gather(following, return_exceptions=True)
    finally:
        await server.stop()
    said = [r for r in caplog.records if r.name.startswith(("connectors", "copilot"))]  # the CLI mutes asyncua's
    url = settings.opcua_url
    assert len(said) == 2, [r.getMessage() for r in said]  # once lost, once resubscribed: not once per try
    assert said[0].getMessage().startswith(f"the subscription to OPC UA server {url} was lost")
    assert said[1].getMessage().startswith(f"resubscribed to OPC UA server {url}")
    assert not [r for r in said if r.exc_info]


async def test_a_sparkplug_edge_nodes_data_is_followed_beside_opc_ua_and_a_lost_broker_unfollows_it(tmp_path):
    from mosquitto import running_mosquitto
    from test_second_plant import on_the_broker

    from connectors.plc import open_plc

    with contextlib.ExitStack() as broker:  # closed in the middle: the broker goes away
        port = broker.enter_context(running_mosquitto(tmp_path / "broker"))
        with running_simulator(tmp_path / "sim", plant_file=PLANTS / "dyehouse" / "plant.yaml",
                               mqtt=(f"127.0.0.1:{port}", "dyehouse", "calder")) as sim:
            plant = on_the_broker(tmp_path / "plant.yaml", port)  # the stenter over MQTT, the rest over OPC UA
            control = SimControl(sim)
            async with open_plc(sim, plant, "opcua") as plc:
                live = LiveTags(plc, {"ST-202": ["chamber_temp", "state"], "WP-101": ["state"]})
                following = asyncio.create_task(live.follow())
                try:
                    await eventually("the stenter's birth", lambda: live.values("ST-202", ["chamber_temp", "state"]))
                    await eventually("the washer's values", lambda: live.values("WP-101", ["state"]))
                    live.changed()
                    control.fault("jam", machine_id="ST-202")
                    control.advance(5)
                    await eventually("the stenter's stop pushed", lambda: live.values(
                        "ST-202", ["state"]) == {"state": 2.0} and "ST-202" in live.changed())
                    assert (await plc.read("ST-202", "state")).value == 2
                    broker.close()
                    await eventually("the stenter unfollowed", lambda: live.values("ST-202", ["state"]) is None)
                    assert live.values("WP-101", ["state"]) == {"state": 1.0}  # its OPC UA server still pushes
                finally:
                    following.cancel()
                    await asyncio.gather(following, return_exceptions=True)
                    control.clear()
                    control.close()
