"""The monitor groups an alarm flood into one alert with its first cause (issue #30).

By hand: 30 alarms raised within a minute are one flood alert, set off by the first; an alarm raised long before
the flood keeps its own alert; three alarms are three alerts. On the running simulator, with a flood threshold of
2, a worn bearing's three alarms on P-101 (vibration, bearing temperature, the PLC's alarm) open one flood alert,
which clears when the plant is reset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from agent_helpers import copilot_on, script, user
from test_monitor import SPEC
from test_opcua_alarms import alarms, eventually, raise_vibration  # noqa: F401 - the fixture is used by name

from connectors.plc.alarms import AlarmCondition
from copilot.monitor.alarm_alerts import FLOOD, alarm_alerts
from copilot.monitor.alerts import Alerts
from copilot.monitor.spec import AlarmAlerting
from copilot.monitor.watch import ACTOR, Monitor

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def condition(n: int, since: datetime, **states) -> AlarmCondition:
    machine = ["P-101", "HP-102", "IM-103", "OV-201", "FL-202", "CV-203"][n % 6]
    return AlarmCondition(**{"condition_id": f"ns=2;s={machine}.c{n}", "machine_id": machine, "condition": f"c{n}",
                             "severity": 600, "message": f"alarm {n}", "active": True, "acked": False, "time": since,
                             "active_since": since, "event_id": "00"} | states)


def test_thirty_alarms_in_a_minute_are_one_alert_with_the_first_cause():
    flood = [condition(n, T0 + timedelta(seconds=2 * n)) for n in range(30)]
    standing = condition(99, T0 - timedelta(minutes=30))
    quiet = [condition(98, T0, active=False), condition(97, T0, shelved=True)]
    alerts = alarm_alerts([*reversed(flood), standing, *quiet])
    assert [(a.machine_id, a.cause) for a in alerts] == [("OV-201", "alarm c99"), ("P-101", FLOOD)]
    grouped = alerts[1]
    assert grouped.evidence["alarms"] == 30 and grouped.evidence["first"] == "P-101 c0"
    assert grouped.what.startswith("alarm flood: 30 alarms within 10 minutes; first P-101 c0: alarm 0")
    assert grouped.evidence["machines"] == ["CV-203", "FL-202", "HP-102", "IM-103", "OV-201", "P-101"]


def test_a_few_alarms_are_an_alert_each_and_ten_are_not_yet_a_flood():
    few = alarm_alerts([condition(n, T0 + timedelta(seconds=n)) for n in range(3)])
    assert [a.cause for a in few] == ["alarm c0", "alarm c1", "alarm c2"]
    ten = alarm_alerts([condition(n, T0 + timedelta(seconds=n)) for n in range(10)])
    assert FLOOD not in {a.cause for a in ten} and len(ten) == 10
    assert alarm_alerts([]) == []


async def test_the_monitor_opens_one_flood_alert_on_the_simulator_and_clears_it(sim, tmp_path, alarms):  # noqa: F811
    _, events = alarms
    await raise_vibration(sim, events)
    spec = SPEC.model_copy(update={"detections": [], "alarms": AlarmAlerting(flood_above=2)})
    async with copilot_on(sim, tmp_path, script()) as copilot:
        alerts = Alerts(copilot.rt.settings.state_db)
        monitor = Monitor(copilot, spec, alerts, user(ACTOR))
        done = await monitor.check()
        assert [(a.machine_id, a.cause) for a in done.opened] == [("P-101", FLOOD)]
        assert done.opened[0].evidence["alarms"] == 3 and done.opened[0].evidence["first"].startswith("P-101 ")
        assert (await monitor.check()).opened == []  # the flood goes on: nothing opened twice

        httpx.post(f"{sim.sim_url}/reset", timeout=30).raise_for_status()

        async def cleared() -> list:  # once the copilot's alarm list has the alarms' clearing
            return (await monitor.check()).cleared

        gone = await eventually("the flood alert cleared", cleared)
        assert [(a.machine_id, a.cause) for a in gone] == [("P-101", FLOOD)]
        alerts.close()
