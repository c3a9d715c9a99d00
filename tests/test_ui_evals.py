"""The Evals page (Streamlit AppTest): engineers run a suite with a progress bar, read reports and compare
two runs; operators do not get the page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_helpers import signed_in

from copilot.identity.users import UserDirectory
from copilot.settings import CopilotSettings
from evals.report import Report
from evals.runner import RECORDINGS, RunResult

UI = Path(__file__).resolve().parents[1] / "ui"
USERS = UserDirectory.load(CopilotSettings().users_file)
SCENARIO = "pump-vibration-work-order"


def _page(username: str) -> AppTest:
    at = AppTest.from_file(str(UI / "pages" / "evals.py"), default_timeout=120)
    return signed_in(at, username)


def _report(tmp: Path, name: str, success: bool) -> Path:
    result = RunResult(scenario="a", category="maintenance", attack=False, run=0, success=success,
                       blame="none" if success else "agent", seconds=3.0)
    path = tmp / f"{name}.json"
    Report.of("maintenance", name, "replay", 1, [result]).write(path)
    return path


def test_an_operator_cannot_open_the_evals_page():
    at = _page("olga").run()
    assert [e.value for e in at.error] == ["You may not open this page."]
    assert not at.button


def test_an_engineer_compares_two_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # reports go to ./var/evals
    reports = tmp_path / "var" / "evals"
    reports.mkdir(parents=True)
    _report(reports, "worse", False)
    time.sleep(0.05)
    _report(reports, "better", True)
    at = _page("eli").run()
    assert not at.exception
    assert at.title[0].value == "Evals"
    assert "| success | 0.0% | 100.0% | +100.0% |" in "\n".join(m.value for m in at.markdown)


@pytest.mark.skipif(not (RECORDINGS / "maintenance" / f"{SCENARIO}.json").exists(), reason="no recording")
def test_an_engineer_runs_a_recorded_scenario_and_sees_its_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    at = _page("ada").run()
    at.selectbox(key="eval_suite").select("maintenance").run()
    at.multiselect(key="eval_only").select(SCENARIO).run()
    at.button[0].click().run()
    job = at.session_state["eval_job"]
    deadline = time.monotonic() + 240
    while not job.finished and time.monotonic() < deadline:
        time.sleep(1)
    assert job.finished and not job.error, job.error
    assert job.done == job.total == 1 and job.report_path is not None and job.report_path.exists()
    at.run()
    assert any("Report written" in s.value for s in at.success)
    assert any(m.label == "Policy violations" and m.value == "0" for m in at.metric)
