"""Drift (issue #31): alerts judged real or false, the copilot's figures kept over time (the monitor's precision, the
twin's error per machine, the chooser's ask-back and refusal rates, each release's eval figures), the admin's
thresholds in the monitor file, and one drift alert per figure and subject that clears when the figure is back.

A hand-built history over three days: alerts opened and judged through the store (the older ones dated back in the
database, as a copilot of those days kept them), twin checks as the store keeps them once measured, procedure runs
in the audit log as the procedure node writes them, and two releases with their reports."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_helpers import ask, call, copilot_on, script, user
from typer.testing import CliRunner

from connectors.plant import load_plant
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS, PRODUCT_DEFAULTS
from copilot.governance import DriftFigure, DriftSources, Releases, drift_history
from copilot.governance.drift import CHOOSER, MONITOR
from copilot.governance.figures import SuiteFigures
from copilot.governance.manifest import Entry, Manifest
from copilot.identity.users import User
from copilot.monitor import AlertKind, AlertStatus, AlertVerdict, DriftThresholds, MonitorError, check_drift
from copilot.monitor.alerts import Alerts, judge_alert
from copilot.monitor.drift import drift_thresholds
from copilot.monitor.spec import DetectionKind, MonitorSpec
from copilot.monitor.watch import ACTOR, Monitor
from copilot.procedures.fitting import fitted_to
from copilot.procedures.spec import Procedures
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from copilot.store.approvals import Origin
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.db import Database
from copilot.store.releases import ReleaseStore
from copilot.store.twin_checks import TwinChecks
from policies.model import Role
from simulator.process import running_simulator
from tools.registry import TOOLS
from twin.settings import TwinSettings
from ui.cli import app

KEY = b"k" * 32
DAY = 24 * 3600.0
SAM = User(username="sam", display_name="Sam", role=Role.supervisor)
THRESHOLDS = DriftThresholds(window_hours=24, min_count=2, min_precision=0.5, max_twin_error=0.05, max_ask_back=0.5,
                             max_refusal=0.3, min_eval_success=0.8, min_eval_pass_k=0.7, max_eval_violations=0)
runner = CliRunner()


def sources_at(location, heads: Path) -> DriftSources:
    return DriftSources(Alerts(location), TwinChecks(location), AuditLog(location, key=KEY, heads_dir=heads),
                        ReleaseStore(location))


def close(sources: DriftSources) -> None:
    for store in (sources.alerts, sources.twin_checks, sources.audit, sources.releases):
        store.close()


def judged_alerts(sources: DriftSources, db: Database, at: float, real: int, false: int) -> list[str]:
    """``real + false`` alerts opened at ``at`` and judged so by sam."""
    ids = []
    for n in range(real + false):
        alert, _ = sources.alerts.open(f"M-{at:.0f}-{n}", "bearing wear", "vibration rising", {})
        verdict = AlertVerdict.confirmed if n < real else AlertVerdict.false_alarm
        judge_alert(sources.alerts, sources.audit, alert.alert_id, SAM, verdict)
        db.execute("UPDATE alerts SET opened_at = ? WHERE alert_id = ?", (at, alert.alert_id))
        ids.append(alert.alert_id)
    return ids


def twin_check(db: Database, action_id: str, machine: str, at: float, fractions: list[float],
               status: str = "measured") -> None:
    """A change measured against its dry run, as TwinChecks keeps it: each reading's error as a share of range."""
    errors = {f"reading-{i}": {"rmse": f * 10, "fraction": f, "samples": 30} for i, f in enumerate(fractions)}
    db.execute("INSERT INTO twin_checks VALUES (?,?,?,?,?,?,?,?,?)",
               (action_id, machine, "setpoint", 0.0, at, "{}", status, json.dumps(errors), at))


def chosen(audit: AuditLog, began: str, asked: bool = False, by_model: bool = True) -> None:
    """A procedure run's audit records as the procedure node writes them: how it began, and the question it asked
    back if it did."""
    audit.append(kind=AuditKind.procedure, actor="olga", thread_id="t", tool="change_setpoints",
                 arguments={"slots": {}, "lang": "en", "began": began, "by_model": by_model})
    if asked:
        audit.append(kind=AuditKind.procedure, actor="olga", thread_id="t", tool="change_setpoints",
                     arguments={"asked": "Which setpoint of FL-202?", "by_model": by_model})


def figures(suite: str, success: float, pass_k: float, violations: int) -> SuiteFigures:
    return SuiteFigures(suite=suite, report=f"{suite}.json", model="scripted", provider="scripted", k=4,
                        created_at="2026-12-05T10:00:00", success=success, pass_k=pass_k, violations=violations,
                        attack_success_rate=None, latency_s_mean=3.0, latency_s_p95=8.0)


def release(sources: DriftSources, name: str, *suites: SuiteFigures) -> str:
    manifest = Manifest(entries=(Entry(name="policy", path="policy.yaml", sha256=name * 64),))
    return Releases(sources.releases, sources.audit).create(manifest, list(suites), name=name).short


def history(sources: DriftSources, db: Database, until: float) -> tuple[str, str]:
    """Three days of judgements, twin checks, runs and two releases (their short ids, older first); what each
    figure comes to is in the test."""
    since = until - 3 * DAY
    judged_alerts(sources, db, since + 0.5 * DAY, real=3, false=1)
    judged_alerts(sources, db, since + 1.5 * DAY, real=2, false=0)
    judged_alerts(sources, db, since - 3600, real=0, false=2)  # before the range
    sources.alerts.open("M-x", "bearing wear", "never judged", {})
    drift, _ = sources.alerts.open("monitor", "drift: old", "a drift alert", {}, AlertKind.drift)
    judge_alert(sources.alerts, sources.audit, drift.alert_id, SAM, AlertVerdict.false_alarm)  # not the plant's
    judged_alerts(sources, db, time.time(), real=2, false=3)  # today: precision 0.4
    twin_check(db, "a1", "P-101", since + 0.2 * DAY, [0.02, 0.01])
    twin_check(db, "a2", "P-101", since + 0.7 * DAY, [0.04])
    twin_check(db, "a3", "P-101", since + 1.2 * DAY, [0.01])
    twin_check(db, "a4", "OV-201", since + 1.3 * DAY, [0.06, 0.02])
    twin_check(db, "a5", "OV-201", since + 1.4 * DAY, [0.5], status="waiting")
    twin_check(db, "a6", "P-101", until - 3 * 3600, [0.02])
    twin_check(db, "a7", "P-101", until - 2 * 3600, [0.03, 0.04])
    for began, asked in (("asking", True), ("stopped", False), ("running", True), ("running", False),
                         ("running", False)):  # the second question asked at a decision
        chosen(sources.audit, began, asked)
    chosen(sources.audit, "asking", asked=True, by_model=False)  # a procedure its caller chose: not the chooser's
    sources.audit.append(kind=AuditKind.procedure, actor="olga", arguments={"slots": {}, "lang": "en"})  # older
    return release(sources, "a", figures("people", 0.6, 0.5, 1)), release(sources, "b", figures("people", 0.9, 0.8, 0))


def test_a_hand_built_history_yields_its_figures_and_one_drift_alert_that_clears(database, tmp_path):
    location, until = database.location(tmp_path / "state.sqlite"), time.time() + 3600
    since = until - 3 * DAY
    sources = sources_at(location, tmp_path / "heads")
    db = Database.open(location)
    try:
        first, second = history(sources, db, until)
    finally:
        db.close()
    close(sources)
    sources = sources_at(location, tmp_path / "heads")  # a restart: all of it is read back from the database
    try:
        got = drift_history(sources, since, until)
        table = {(p.figure, p.subject, round((p.at - since) / DAY)): (round(p.value, 6), p.count)
                 for p in got.points if p.release is None}
        assert table == {
            (DriftFigure.precision, MONITOR, 0): (0.75, 4), (DriftFigure.precision, MONITOR, 1): (1.0, 2),
            (DriftFigure.precision, MONITOR, 2): (0.4, 5),
            (DriftFigure.twin_error, "P-101", 0): (0.03, 2), (DriftFigure.twin_error, "P-101", 1): (0.01, 1),
            (DriftFigure.twin_error, "OV-201", 1): (0.06, 1), (DriftFigure.twin_error, "P-101", 2): (0.03, 2),
            (DriftFigure.ask_back, CHOOSER, 2): (0.4, 5), (DriftFigure.refusal, CHOOSER, 2): (0.2, 5)}
        evals = {(p.release, p.figure, p.subject): p.value for p in got.points if p.release is not None}
        assert evals == {(first, DriftFigure.eval_success, "people"): 0.6,
                         (first, DriftFigure.eval_pass_k, "people"): 0.5,
                         (first, DriftFigure.eval_violations, "people"): 1.0,
                         (second, DriftFigure.eval_success, "people"): 0.9,
                         (second, DriftFigure.eval_pass_k, "people"): 0.8,
                         (second, DriftFigure.eval_violations, "people"): 0.0}
        day_two = drift_history(sources, since + DAY, since + 2 * DAY)  # any range: only its own
        assert {(p.figure, p.subject) for p in day_two.points} == {
            (DriftFigure.precision, MONITOR), (DriftFigure.twin_error, "P-101"), (DriftFigure.twin_error, "OV-201")}

        checked = check_drift(sources, THRESHOLDS, "monitor", now=until)
        [alert] = checked.opened  # the precision of today, 40 %; OV-201's 6 % twin error was yesterday
        assert (alert.kind, alert.machine_id, alert.cause) == (AlertKind.drift, MONITOR, "drift: monitor precision")
        assert alert.evidence == {"value": 0.4, "threshold": 0.5, "of": 5} and not checked.cleared
        again = check_drift(sources, THRESHOLDS, "monitor", now=until)
        assert not again.opened and not again.cleared  # known and open: nothing twice
        today = [a for a in sources.alerts.judged(until - DAY, until) if a.verdict is AlertVerdict.false_alarm]
        judge_alert(sources.alerts, sources.audit, today[0].alert_id, SAM, AlertVerdict.confirmed)  # 3 of 5: 60 %
        back = check_drift(sources, THRESHOLDS, "monitor", now=until)
        assert [a.alert_id for a in back.cleared] == [alert.alert_id] and not back.opened
        assert sources.alerts.get(alert.alert_id).status is AlertStatus.cleared
        told = [r.result["status"] for r in sources.audit.records(kind=AuditKind.alert, actor="monitor")]
        assert told == ["cleared", "opened"]
    finally:
        close(sources)


def test_a_judgement_keeps_who_and_when_across_a_restart_and_a_later_one_replaces_it(database, tmp_path):
    location = database.location(tmp_path / "state.sqlite")
    alerts, audit = Alerts(location), AuditLog(location, key=KEY, heads_dir=tmp_path / "heads")
    alert, _ = alerts.open("P-101", "bearing wear", "vibration rising", {"vibration_per_hour": 1.2})
    before = time.time()
    judge_alert(alerts, audit, alert.alert_id, SAM, AlertVerdict.false_alarm)
    with pytest.raises(PermissionError, match="olga is an operator"):
        judge_alert(alerts, audit, alert.alert_id, User(username="olga", display_name="O", role=Role.operator),
                    AlertVerdict.confirmed)
    with pytest.raises(LookupError, match="no alert 'alert-nope'"):
        judge_alert(alerts, audit, "alert-nope", SAM, AlertVerdict.confirmed)
    alerts.close()
    alerts = Alerts(location)
    kept = alerts.get(alert.alert_id)
    assert (kept.verdict, kept.judged_by, kept.status, kept.kind) == (
        AlertVerdict.false_alarm, "sam", AlertStatus.open, AlertKind.plant)
    assert before <= kept.judged_at <= time.time()
    closed = alerts.resolve(alert.alert_id, "sara", "bearing replaced", AlertVerdict.confirmed)  # closing judges too
    assert (closed.verdict, closed.judged_by) == (AlertVerdict.confirmed, "sara")
    assert [r.actor for r in audit.records(kind=AuditKind.alert)] == ["sam"]  # the refused ones left nothing
    alerts.close()
    audit.close()


def test_a_bad_drift_threshold_is_one_line_naming_the_file_and_the_field(tmp_path):
    bad = tmp_path / "monitor.yaml"
    bad.write_text("drift:\n  max_twin_error: -1\n  most_refusals: 3\n")
    with pytest.raises(MonitorError) as caught:
        drift_thresholds(bad)
    said = str(caught.value)
    assert "\n" not in said and str(bad) in said and "drift.max_twin_error" in said
    assert "drift.most_refusals: not a threshold" in said
    bad.write_text("drift: [1, 2\n")
    with pytest.raises(MonitorError) as caught:
        drift_thresholds(bad)
    assert str(caught.value).startswith(f"the monitor file {bad} is not valid YAML: ") and "\n" not in str(caught.value)
    with pytest.raises(MonitorError, match=f"^cannot read the monitor file {tmp_path / 'none.yaml'}: "):
        drift_thresholds(tmp_path / "none.yaml")
    bad.write_text("drift:\n" + "".join(f"  most_{n}: 1\n" for n in range(7)))
    with pytest.raises(MonitorError, match=r"drift.most_4: not a threshold \(they are window_hours, .*\(and 2 more\)$"):
        drift_thresholds(bad)


@pytest.mark.parametrize("plant", ["riverside", "dyehouse"])
def test_both_plants_monitor_files_set_drift_thresholds_the_monitor_reads(plant):
    site = CopilotSettings(site_dir=PLANTS / plant)
    loaded = load_plant(PLANTS / plant / "plant.yaml")
    spec = MonitorSpec.load(site.monitor_file, loaded, fitted_to(Procedures.load(PRODUCT_DEFAULTS / "procedures.yaml",
                                                                                   TOOLS), loaded))
    assert spec.drift is not None and spec.drift == drift_thresholds(site.monitor_file)
    assert spec.drift.bound(DriftFigure.twin_error) == (0.05, False)


def cli(tmp_path: Path, *args: str, password: str = "sam-demo"):
    env = {"COPILOT_DATA_DIR": str(tmp_path / "data"), "COPILOT_PASSWORD": password, "COPILOT_DATABASE_URL": None}
    return runner.invoke(app, list(args), env=env)


def test_the_cli_judges_an_alert_refuses_bad_input_in_one_line_and_prints_the_figures(tmp_path):
    settings = CopilotSettings(data_dir=tmp_path / "data")
    alerts = Alerts(settings.state_db)
    opened = [alerts.open(f"P-10{n}", "bearing wear", "vibration rising", {})[0] for n in range(2)]
    alerts.close()
    first = cli(tmp_path, "alerts", "judge", opened[0].alert_id, "real", "--user", "sam")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"{opened[0].alert_id}: judged real by sam"
    assert cli(tmp_path, "alerts", "judge", opened[1].alert_id, "FALSE", "--user", "sam").exit_code == 0
    for args, password, said in (
            ((opened[0].alert_id, "maybe"), "sam-demo", "error: judge an alert 'real' or 'false', not 'maybe'"),
            (("alert-nope", "real"), "sam-demo", "error: no alert 'alert-nope'"),
            ((opened[0].alert_id, "false"), "olga-demo", "error: olga is an operator")):
        user = "olga" if password.startswith("olga") else "sam"
        refused = cli(tmp_path, "alerts", "judge", *args, "--user", user, password=password)
        assert refused.exit_code != 0 and len(refused.output.strip().splitlines()) == 1, refused.output
        assert refused.output.strip().startswith(said) and "Traceback" not in refused.output
    alerts = Alerts(settings.state_db)
    assert [alerts.get(a.alert_id).verdict for a in opened] == [AlertVerdict.confirmed, AlertVerdict.false_alarm]
    alerts.close()
    bad = tmp_path / "monitor.yaml"
    bad.write_text("drift: {min_precision: 2}\n")
    refused = runner.invoke(app, ["drift"], env={"COPILOT_DATA_DIR": str(tmp_path / "data"),
                                                 "COPILOT_MONITOR_FILE": str(bad), "COPILOT_DATABASE_URL": None})
    assert refused.exit_code == 1 and refused.output.strip().splitlines() == [
        f"error: monitor file {bad}: drift.min_precision: Input should be less than or equal to 1"]
    printed = cli(tmp_path, "drift", "--days", "2")
    assert printed.exit_code == 0, printed.output
    [row] = [line for line in printed.output.splitlines() if "monitor precision" in line]
    assert row.split()[4:8] == ["monitor", "50.0%", "2", "≥"]  # 1 of 2 real; the shipped threshold 50 %


async def test_the_chooser_asking_back_through_the_graph_is_its_ask_back_rate(sim, tmp_path):
    model = script(
        [call("change_setpoints", machine="FL-202", changes=[{"to": 505}])],
        [call("change_setpoints", machine="FL-202", changes=[{"tag": "fill_setpoint", "to": 505}])],
    )
    async with copilot_on(sim, tmp_path, model) as copilot:
        since = time.time()
        steps = await ask(copilot, "olga", "Put FL-202 on 505", thread_id="t1")
        assert steps[-1].text == "Which setpoint of FL-202: fill setpoint or speed setpoint?"  # asked at a decision
        by_caller = await copilot.run_procedure(user("olga"), "change_setpoints", {"machine": "FL-202"}, "FL-202?",
                                                "t2", via=Origin.chat)  # asks back too, but not the chooser's
        assert by_caller[-1].kind == "answer" and by_caller[-1].text.endswith("?")
        await ask(copilot, "olga", "the fill one", thread_id="t1")
        releases = ReleaseStore(copilot.rt.settings.audit_db)
        sources = DriftSources(copilot.alerts_store, copilot.rt.twin_checks, copilot.rt.audit, releases)
        got = drift_history(sources, since, time.time() + 60)
        releases.close()
    rates = {p.figure: (p.value, p.count) for p in got.points}
    assert rates == {DriftFigure.ask_back: (0.5, 2), DriftFigure.refusal: (0.0, 2)}  # one of two runs asked back


@pytest.fixture(scope="module")
def dyehouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own serving the dyehouse."""
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim


@pytest.mark.parametrize("plant", ["riverside", "dyehouse"])
async def test_the_monitor_raises_the_drift_alert_in_its_check_and_clears_it_when_the_figure_is_back(plant, request,
                                                                                                      tmp_path):
    sim = request.getfixturevalue("sim" if plant == "riverside" else "dyehouse_server")
    site = PLANTS / plant
    async with Copilot.open(script(), settings=CopilotSettings(data_dir=tmp_path, site_dir=site), connectors=sim,
                            twin=TwinSettings(site_dir=site)) as copilot:
        spec = MonitorSpec.load(copilot.rt.settings.monitor_file, copilot.plant, copilot.procedures)
        spec = spec.model_copy(update={"detections": [d for d in spec.detections if d.kind is DetectionKind.stopped],
                                       "drift": spec.drift.model_copy(update={"min_count": 2})})  # the plant's own
        alerts = Alerts(copilot.rt.settings.state_db)
        judged = [alerts.open(f"M-{n}", "bearing wear", "vibration rising", {})[0] for n in range(2)]
        for alert in judged:
            copilot.judge_alert(alert.alert_id, user("sam"), AlertVerdict.false_alarm)
        monitor = Monitor(copilot, spec, alerts, user(ACTOR))
        first = await monitor.check()  # a quiet plant: the one alert is the monitor's own precision, 0 %
        [drift] = first.opened
        assert (drift.kind, drift.machine_id, drift.cause) == (AlertKind.drift, MONITOR, "drift: monitor precision")
        assert not (await monitor.check()).opened
        for alert in judged:
            copilot.judge_alert(alert.alert_id, user("sara"), AlertVerdict.confirmed)  # they were real after all
        back = await monitor.check()
        assert [a.alert_id for a in back.cleared] == [drift.alert_id] and not back.opened
        alerts.close()


def test_alerts_closed_with_a_verdict_before_judgements_were_kept_read_as_judged_by_who_closed_them(database, tmp_path):
    from copilot.monitor.alerts import _MIGRATIONS

    location = database.location(tmp_path / "state.sqlite")
    db = Database.open(location)
    db.migrate("alerts", _MIGRATIONS[:2])  # the tables of the copilot before this one
    db.execute("INSERT INTO alerts (alert_id, machine_id, cause, what, evidence, status, thread_id, opened_at, "
               "closed_at, closed_by, note, verdict) VALUES ('alert-old', 'P-101', 'bearing wear', 'w', '{}', "
               "'closed', 'monitor-alert-old', 1.0, 2.0, 'sara', 'replaced', 'false_alarm')")
    db.close()
    alerts = Alerts(location)
    old = alerts.get("alert-old")
    assert (old.kind, old.verdict, old.judged_by, old.judged_at) == (AlertKind.plant, AlertVerdict.false_alarm,
                                                                     "sara", 2.0)
    assert [a.alert_id for a in alerts.judged(0.0, 10.0)] == ["alert-old"]
    alerts.close()
