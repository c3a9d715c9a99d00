"""Drift in the Streamlit app (issue #31): a supervisor judges alerts real or false on the Alerts page, and the KPIs
page plots the figures kept over time with their thresholds; against the real simulator, in AppTest sessions."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from ui_helpers import SCRIPT, app_env, app_runtime, pump_manual_store, session, texts, user

from copilot.monitor.alerts import Alerts, AlertStatus, AlertVerdict
from copilot.settings import CopilotSettings
from ui.runtime import AppRuntime


@pytest.fixture(scope="module")
def runtime(sim_server, tmp_path_factory) -> Iterator[AppRuntime]:
    work = tmp_path_factory.mktemp("ui-drift")
    with app_runtime(app_env(sim_server, work / "data", pump_manual_store(work), SCRIPT)) as rt:
        yield rt


@pytest.fixture
def alerts(runtime: AppRuntime, sim) -> Iterator[Alerts]:
    store = Alerts(CopilotSettings().state_db)
    yield store
    for left in store.listed(AlertStatus.open):
        store.clear(left.machine_id, left.cause)  # not closed by a person: not judged
    store.close()


def test_a_supervisor_judges_an_open_alert_and_an_ended_one_on_the_alerts_page(alerts):
    alert, _ = alerts.open("P-101", "bearing wear", "vibration and bearing temperature rising", {})
    ended, _ = alerts.open("OV-201", "controller or sensor drift", "oven off its setpoint", {})
    alerts.clear("OV-201", "controller or sensor drift")
    at = session("sam", "pages/alerts.py")
    assert not at.exception, at.exception
    assert "not judged yet" in texts(at)
    at.button(key=f"false-{alert.alert_id}").click().run()
    assert not at.exception, at.exception
    judged = alerts.get(alert.alert_id)
    assert (judged.verdict, judged.judged_by, judged.status) == (AlertVerdict.false_alarm, "sam", AlertStatus.open)
    assert "judged false alarm (sam," in texts(at)
    at.selectbox[0].select(alerts.get(ended.alert_id)).run()
    at.button(key="FormSubmitter:judge-ended-Judge").click().run()
    assert not at.exception, at.exception
    assert (alerts.get(ended.alert_id).verdict, alerts.get(ended.alert_id).judged_by) == (AlertVerdict.confirmed, "sam")


def test_the_kpi_page_plots_the_monitors_precision_with_its_threshold(runtime, alerts):
    for n, verdict in enumerate((AlertVerdict.confirmed, AlertVerdict.false_alarm, AlertVerdict.confirmed)):
        alert, _ = alerts.open(f"M-{n}", "bearing wear", "vibration rising", {})
        runtime.sync(runtime.copilot.judge_alert, alert.alert_id, user("eli"), verdict)
    at = session("sam", "pages/kpi.py")
    assert not at.exception, at.exception
    assert "Drift" in [s.value for s in at.subheader] and "**Monitor precision**" in texts(at)
    [chart] = [c for c in at.get("vega_lite_chart") if "monitor precision" in c.proto.spec]
    spec = chart.proto.spec
    assert '"threshold": 0.5' in spec and '"subject": "monitor"' in spec  # the shipped threshold, 50 %
    judged = alerts.judged(0.0, time.time() + 1)  # these three, and those of the page's other tests
    real = sum(a.verdict is AlertVerdict.confirmed for a in judged)
    assert f'"value": {real / len(judged)}, "of": {len(judged)}' in spec
