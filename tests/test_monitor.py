"""The monitor: the live plant, not a person, starts the procedures — one alert per machine and cause, its
changes through the same gate and queue, nothing twice while the condition lasts, closed when it clears."""

from __future__ import annotations

import asyncio
import json
import random
import time

import pytest
import yaml
from agent_helpers import SimControl, copilot_on, script, user

from connectors.erp import ErpClient
from connectors.settings import ConnectorSettings
from connectors.site import PRODUCT_DEFAULTS
from copilot.monitor.alerts import Alerts, AlertVerdict
from copilot.monitor.detectors import find, slope
from copilot.monitor.notify import Outbox
from copilot.monitor.spec import Detection, MonitorError, MonitorSpec
from copilot.monitor.watch import ACTOR, Monitor
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from tools.registry import TOOLS

PLANT = ConnectorSettings().load_plant()
PROCEDURES = Procedures.load(CopilotSettings().procedures_file, TOOLS)
SPEC = MonitorSpec.load(CopilotSettings().monitor_file, PLANT, PROCEDURES)


def noisy(start: float, per_hour: float, minutes: float = 20, noise: float = 0.0, seed: int = 1) -> list:
    rng = random.Random(seed)
    return [(t * 30.0, start + per_hour * t * 30.0 / 3600 + rng.gauss(0, noise)) for t in range(int(minutes * 2))]


def detection(name: str) -> Detection:
    return next(d for d in SPEC.detections if d.name == name)


def test_a_trend_ignores_noise_and_a_spike():
    flat = noisy(3.0, 0.0, noise=0.2)
    flat[20] = (flat[20][0], 40.0)  # one wild reading
    assert not slope(flat).rising
    assert slope(noisy(3.0, 1.5, noise=0.2)).rising


def test_each_kind_finds_what_an_engineer_would_and_nothing_in_normal_running():
    pump, oven = PLANT.machines["P-101"], PLANT.machines["OV-201"]
    normal = {"vibration": noisy(2.8, 0.0, noise=0.05), "bearing_temp": noisy(55, 0.0, noise=0.3)}
    assert find(detection("bearing wear"), pump, normal) is None
    worn = {"vibration": noisy(3.0, 1.2, noise=0.05), "bearing_temp": noisy(56, 6.0, noise=0.3)}
    found = find(detection("bearing wear"), pump, worn)
    assert found and "vibration" in found.what and "bearing_temp" in found.what
    heading = {"vibration": noisy(6.0, 2.0, noise=0.02), "bearing_temp": normal["bearing_temp"]}
    toward = find(detection("reading toward its alarm"), pump, heading)
    assert toward and toward.evidence["tag"] == "vibration" and 0 < toward.evidence["minutes_to_alarm"] < 60
    drift = {"zone_temp": noisy(192.0, 0.0, minutes=15, noise=0.2), "temp_setpoint": [(0.0, 180.0)]}
    assert find(detection("controller or sensor drift"), oven, drift).evidence["off_by"] > 10
    steady = {"zone_temp": noisy(180.2, 0.0, minutes=15, noise=0.2), "temp_setpoint": [(0.0, 180.0)]}
    assert find(detection("controller or sensor drift"), oven, steady) is None
    scrap = noisy(0.5, 0.0, minutes=60, noise=0.05)
    scrap[-21:] = [(t, 4.0) for t, _ in scrap[-21:]]  # the last 10 minutes
    assert find(detection("defect rate above usual"), oven, {"defect_rate": scrap}).evidence["recent"] == 4.0
    assert find(detection("defect rate above usual"), oven, {"defect_rate": noisy(0.5, 0.0, 60, 0.05)}) is None
    assert find(detection("machine stopped by a fault"), pump, {"state": [(0, 1), (30, 2), (60, 2), (90, 2)]})
    assert find(detection("machine stopped by a fault"), pump, {"state": [(0, 2), (30, 2), (60, 1)]}) is None


def test_the_plcs_live_values_are_the_reading_now():
    pump = PLANT.machines["P-101"]
    stop = detection("machine stopped by a fault")
    running = {"state": [(0, 1), (30, 1), (60, 1)]}
    assert find(stop, pump, running, {"state": 2.0})  # faulted on the PLC before the historian shows it
    assert find(stop, pump, {"state": [(0, 1), (30, 2), (60, 2), (90, 2)]}, {"state": 1.0}) is None  # restarted
    heading = {"vibration": noisy(6.0, 2.0, noise=0.02), "bearing_temp": noisy(55, 0.0, noise=0.3)}
    toward = detection("reading toward its alarm")
    later = find(toward, pump, heading, {"vibration": 6.9})
    assert later.evidence["last"] == 6.9
    assert later.evidence["minutes_to_alarm"] < find(toward, pump, heading).evidence["minutes_to_alarm"]
    assert find(toward, pump, heading, {"vibration": 99.0}) is None  # past its alarm now: the PLC's alarm tells


def test_a_setpoint_changed_within_the_window_is_not_a_drift():
    oven, drift = PLANT.machines["OV-201"], detection("controller or sensor drift")
    on_its_way = {"zone_temp": noisy(180.0, 20.0, minutes=15, noise=0.2),  # heading for the new setpoint
                  "temp_setpoint": [(0.0, 180.0), (600.0, 190.0)]}
    assert find(drift, oven, on_its_way) is None
    changed_now = {"zone_temp": noisy(180.0, 0.0, minutes=15, noise=0.2), "temp_setpoint": [(0.0, 180.0)]}
    assert find(drift, oven, changed_now, {"temp_setpoint": 200.0}) is None
    assert find(drift, oven, changed_now, {"temp_setpoint": 180.0}) is None


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "hunch"}, "detection 'bearing wear': field kind"),
    ({"tags": ["vibraton", "bearing_temp"], "min_rise_per_hour": {"vibraton": 1, "bearing_temp": 1}},
     "no machine has a tag 'vibraton'"),
    ({"procedure": "fix_it"}, "no procedure 'fix_it'"),
    ({"slots": {"colour": "red"}}, "report_to_maintenance has no slot 'colour'"),
    ({"min_rise_per_hour": {"vibration": 1}}, "a rise for each of tags"),
    ({"window_minutes": float("nan")}, "field window_minutes"),
    ({"window_minutes": None}, "a rising_together detection needs window_minutes"),
    ({"kind": "order_turn", "slots": {}}, "field procedure: report_to_maintenance takes no line"),
])
def test_a_monitor_file_with_a_mistake_names_the_detection_and_field(change, message):
    raw = yaml.safe_load((PRODUCT_DEFAULTS / "monitor.yaml").read_text())
    raw["detections"][0] |= change
    with pytest.raises(MonitorError, match=message):
        MonitorSpec.from_data(raw, PLANT, PROCEDURES)


def test_one_open_alert_per_machine_and_cause(tmp_path):
    alerts = Alerts(tmp_path / "state.sqlite")
    first, new = alerts.open("P-101", "bearing wear", "rising", {"x": 1})
    again, new_again = alerts.open("P-101", "bearing wear", "rising more", {"x": 2})
    assert new and not new_again and again.alert_id == first.alert_id
    with pytest.raises(ValueError, match="needs a note"):
        alerts.resolve(first.alert_id, "sam", " ")
    assert alerts.resolve(first.alert_id, "sam", "bearing replaced").verdict == "confirmed"
    second, new = alerts.open("P-101", "bearing wear", "back", {})
    assert new  # a new episode opens a new alert
    resolved = alerts.resolve(second.alert_id, "sam", "the probe was loose", AlertVerdict.false_alarm)
    assert resolved.verdict == "false_alarm"
    alerts.close()


@pytest.mark.asyncio
async def test_bearing_wear_leads_with_no_operator_to_one_alert_and_one_work_order_then_clears(sim, tmp_path):
    control = SimControl(sim)
    try:
        control.fault("bearing_wear", machine_id="P-101", severity=0.6)
        for _ in range(20):
            control.advance(60)
        async with copilot_on(sim, tmp_path, script()) as copilot:
            alerts, receiver = Alerts(copilot.rt.settings.state_db), Receiver()
            outbox = Outbox(copilot.rt.settings.state_db, receiver.url)
            monitor = Monitor(copilot, SPEC, alerts, user(ACTOR), outbox)
            first = await monitor.check()
            causes = {(a.machine_id, a.cause) for a in first.opened}
            assert ("P-101", "bearing wear") in causes
            assert all(m == "P-101" for m, _ in causes)  # nothing on the machines that run normally
            async with ErpClient.from_settings(sim) as erp:
                orders = await erp.list_work_orders(machine_id="P-101")
            assert len(orders) == 1 and orders[0].requested_by == ACTOR
            waiting = [a for a in copilot.pending() if a.requester == ACTOR]
            # P-101's three BOM parts are at or below their reorder points: one order each waits for sign-off,
            # with the monitor's finding as its reason
            assert sorted(a.arguments["part_id"] for a in waiting) == ["BRG-6205", "IMP-CP80", "SEAL-M25"]
            assert all(a.tool == "create_purchase_order" and "Monitor alert on P-101" in a.arguments["reason"]
                       for a in waiting)

            for _ in range(5):
                control.advance(60)
            second = await monitor.check()  # the wear goes on: nothing new
            assert second.opened == []
            async with ErpClient.from_settings(sim) as erp:
                assert len(await erp.list_work_orders(machine_id="P-101")) == 1
            assert len([a for a in copilot.pending() if a.requester == ACTOR]) == len(waiting)

            control.clear()  # the bearing is replaced
            for _ in range(25):
                control.advance(60)
            third = await monitor.check()
            assert ("P-101", "bearing wear") in {(a.machine_id, a.cause) for a in third.cleared}
            assert alerts.listed() == []
            kinds = [r.kind for r in copilot.rt.audit.records(actor=ACTOR, kind="alert")]
            assert len(kinds) >= 2
            await outbox.deliver()
            events = [(d["event"], d["cause"]) for d in receiver.got if d["machine_id"] == "P-101"]
            assert ("opened", "bearing wear") in events and ("cleared", "bearing wear") in events
            receiver.stop()
            outbox.close()
            alerts.close()
    finally:
        control.close()


async def test_a_jam_is_seen_on_the_plc_before_the_historian_shows_it(sim, tmp_path):
    control = SimControl(sim)
    try:
        control.advance(30)
        control.fault("jam", machine_id="CV-203")
        control.advance(1)  # one faulted sample in the history: not yet a stop by the history alone
        stopped = SPEC.model_copy(update={"detections": [detection("machine stopped by a fault")]})
        async with copilot_on(sim, tmp_path, script()) as copilot:
            history = await copilot.rt.deps.mes.history("CV-203", "state", 5)
            assert find(stopped.detections[0], PLANT.machines["CV-203"], {"state": history}) is None
            alerts = Alerts(copilot.rt.settings.state_db)
            done = await Monitor(copilot, stopped, alerts, user(ACTOR)).check()
            assert [(a.machine_id, a.cause) for a in done.opened] == [("CV-203", "machine stopped by a fault")]
            alerts.close()
    finally:
        control.clear()
        control.close()


class Receiver:
    """A webhook receiver on loopback: a real HTTP server that keeps what it was sent."""

    def __init__(self, port: int = 0, pause_s: float = 0.0) -> None:
        import http.server
        import threading

        got = self.got = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                time.sleep(pause_s)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.asyncio
async def test_the_webhook_gets_each_alert_and_a_dead_receiver_loses_nothing(tmp_path):
    from conftest import free_port

    port = free_port()
    outbox = Outbox(tmp_path / "state.sqlite", f"http://127.0.0.1:{port}/hook", timeout_s=2)
    alerts = Alerts(tmp_path / "state.sqlite")
    alert, _ = alerts.open("P-101", "bearing wear", "vibration +1.2 mm/s/h", {"vibration_per_hour": 1.2})
    outbox.put(alert, "opened")
    assert await outbox.deliver() == 0 and outbox.waiting() == 1  # nobody listens: kept
    receiver = Receiver(port)
    try:
        time.sleep(2.1)  # the pause after the first failure
        assert await outbox.deliver() == 1 and outbox.waiting() == 0
        [doc] = receiver.got
        assert doc["event"] == "opened" and doc["machine_id"] == "P-101"
        assert doc["evidence"]["vibration_per_hour"] == 1.2
    finally:
        receiver.stop()
        outbox.close()
        alerts.close()


def test_monitor_check_runs_in_a_process_of_its_own_without_a_model(sim, tmp_path):
    import os
    import subprocess
    import sys

    from simulator.process import settings_env

    control = SimControl(sim)
    try:
        control.fault("bearing_wear", machine_id="P-101", severity=0.6)
        for _ in range(20):
            control.advance(60)
        env = {**os.environ, **settings_env(sim), "COPILOT_DATA_DIR": str(tmp_path),
               "COPILOT_PROVIDER": "openai", "COPILOT_BASE_URL": "http://127.0.0.1:9"}  # a model it must not call
        done = subprocess.run([sys.executable, "-m", "ui.cli", "monitor", "check"], env=env, capture_output=True,
                              text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        assert "opened" in done.stdout and "P-101  bearing wear" in done.stdout
        listed = subprocess.run([sys.executable, "-m", "ui.cli", "monitor", "alerts"], env=env,
                                      capture_output=True, text=True, timeout=60)
        assert "P-101" in listed.stdout
    finally:
        control.clear()
        control.close()


@pytest.mark.asyncio
async def test_two_monitors_sending_the_same_outbox_at_once_send_each_document_once(database, tmp_path):
    from conftest import free_port

    port = free_port()
    receiver = Receiver(port, pause_s=0.2)  # a slow receiver: both monitors find the same documents due
    location = database.location(tmp_path / "state.sqlite")
    first, second = (Outbox(location, receiver.url, timeout_s=5) for _ in range(2))
    alerts = Alerts(location)
    try:
        for machine in ("P-101", "HP-102", "OV-201"):
            alert, _ = alerts.open(machine, "bearing wear", "vibration rising", {})
            first.put(alert, "opened")
        sent = await asyncio.gather(first.deliver(), second.deliver())
        assert sum(sent) == 3 and first.waiting() == 0
        assert sorted(doc["machine_id"] for doc in receiver.got) == ["HP-102", "OV-201", "P-101"]
    finally:
        receiver.stop()
        first.close(), second.close(), alerts.close()
