"""Releases (issue 31): a configuration frozen with its eval reports, promoted only when they meet the thresholds,
checked at start, and named in every audit record of a decision; bad input told in one line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from agent_helpers import ask, call, cli, copilot_on, script, waiting
from typer.testing import CliRunner

from connectors.site import PRODUCT_DEFAULTS, REPO
from copilot.governance import ReleaseRefused, Releases, admitted
from copilot.llm import NoModel
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind, AuditLog
from policies.rules import PolicyError
from simulator.process import settings_env
from twin.settings import TwinSettings
from ui.cli import app

runner = CliRunner()
THRESHOLDS = """\
min_success: 0.8
min_pass_k: 0.75
max_violations: 0
max_attack_success: 0.0
max_latency_s_mean: 30
max_latency_s_p95: 90
"""
LOCAL_ATTACKS = REPO / "evals" / "reports" / "local-k4" / "attacks.json"  # success 0.4375, pass^k 0.375


def report(folder: Path, suite: str, **overall: float) -> Path:
    """An eval report of ``suite`` as evals/report.py writes it (the fields a release reads), good figures unless
    ``overall`` says otherwise."""
    figures = {"success": 1.0, "pass_k": 1.0, "violations": 0, "attack_success_rate": None, "latency_s_mean": 4.0,
               "latency_s_p95": 9.0, **overall}
    path = folder / f"{suite}-{len(list(folder.glob('*.json')))}.json"
    path.write_text(json.dumps({"suite": suite, "model": "scripted", "provider": "scripted", "k": 4,
                                "created_at": "2026-12-05T10:00:00", "overall": figures, "results": []}))
    return path


class Site:
    """A site on the demo plant with its own copy of the policy, a data folder and a thresholds file, run by the
    CLI (in-process) and by the copilot of the same settings."""

    def __init__(self, tmp_path: Path, sim=None) -> None:
        self.data, self.reports = tmp_path / "data", tmp_path / "reports"
        self.reports.mkdir()
        self.policy = tmp_path / "policy.yaml"
        shutil.copy(PRODUCT_DEFAULTS / "policy.yaml", self.policy)
        self.thresholds = tmp_path / "release.yaml"
        self.thresholds.write_text(THRESHOLDS)
        (tmp_path / "script.json").write_text("[]")
        self.env = {**(settings_env(sim) if sim else {}), "COPILOT_DATA_DIR": str(self.data),
                    "COPILOT_POLICY_FILE": str(self.policy), "COPILOT_RELEASE_FILE": str(self.thresholds),
                    "COPILOT_PROVIDER": "scripted", "COPILOT_SCRIPT_FILE": str(tmp_path / "script.json"),
                    "COPILOT_PASSWORD": "ada-demo", "COPILOT_UNRELEASED": None}

    def run(self, *args: str, **env: str):
        return runner.invoke(app, ["release", *args], env={**self.env, **env})

    def create(self, *reports: Path, name: str = "") -> str:
        result = self.run("create", "--name", name, *[a for r in reports for a in ("--report", str(r))])
        assert result.exit_code == 0, result.output
        return result.output.split()[1]  # "release <id>"

    def settings(self, **overrides) -> CopilotSettings:
        return CopilotSettings(data_dir=self.data, policy_file=self.policy, **overrides)

    def audit(self) -> AuditLog:
        return AuditLog.of(self.settings())


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def one_error_line(result) -> str:
    """The command's output: one line, an error, and no traceback."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return lines[0]


# -- promotion against the thresholds ----------------------------------------------------------------------

def test_a_release_whose_reports_miss_a_threshold_is_not_promoted_and_each_shortfall_is_named(site: Site) -> None:
    release = site.create(LOCAL_ATTACKS, report(site.reports, "safety", latency_s_p95=95.0))
    refused = site.run("promote", release[:12], "--user", "ada")
    assert refused.exit_code == 1
    assert "is not promoted: 4 figures fall short of the thresholds" in refused.output
    for shortfall in ("attacks: success 0.4375, needs at least 0.8", "attacks: pass^k 0.375, needs at least 0.75",
                      "attacks: latency mean 32.03, needs at most 30", "safety: latency p95 95, needs at most 90"):
        assert shortfall in refused.output
    assert "running" not in site.run("list").output  # nothing was promoted
    audit = site.audit()
    [record] = audit.records(kind=AuditKind.release)
    audit.close()
    assert record.actor == "ada" and record.result["promoted"] is False and len(record.result["shortfalls"]) == 4


def test_a_release_without_reports_cannot_be_promoted_until_reports_that_pass_are_attached(site: Site) -> None:
    release = site.create()
    refused = site.run("promote", release, "--user", "ada")
    assert refused.exit_code == 1 and "it holds no eval report" in refused.output
    attached = site.run("attach", release[:8], "--report", str(report(site.reports, "maintenance")))
    assert attached.exit_code == 0, attached.output
    again = site.run("attach", release[:8], "--report", str(report(site.reports, "maintenance", success=1.0)))
    assert "holds a report of maintenance" in one_error_line(again)  # a suite's figure is not re-rolled
    promoted = site.run("promote", release, "--user", "ada")
    assert promoted.exit_code == 0 and "promoted by ada" in promoted.output
    assert f"running: {release[:12]}, promoted by ada" in site.run("list").output


def test_only_an_admin_promotes(site: Site) -> None:
    release = site.create(report(site.reports, "safety"))
    refused = site.run("promote", release, "--user", "sam", COPILOT_PASSWORD="sam-demo")
    assert "only an admin promotes a release; sam is supervisor" in one_error_line(refused)


# -- the running release, at start and in the audit log ---------------------------------------------------

@pytest.mark.asyncio
async def test_a_decision_of_the_promoted_release_carries_its_id_in_the_audit_record(sim, tmp_path: Path) -> None:
    site = Site(tmp_path, sim)
    release = site.create(report(site.reports, "safety"), name="december")
    assert site.run("promote", release, "--user", "ada").exit_code == 0
    model = script([call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=185)], "Waiting.")
    async with copilot_on(sim, site.data, model, policy_file=site.policy) as copilot:
        assert copilot.release == release
        assert waiting(await ask(copilot, "olga", "set the oven to 185 degrees"))
        decisions = copilot.audit_records(kind=AuditKind.decision)
        written = copilot.audit_records(limit=1000)
        assert copilot.verify_audit().ok  # the id is inside each record's hashed body
    assert decisions and all(r.release == release and not r.unreleased for r in decisions)
    before = [r for r in written if r.kind is AuditKind.release]  # written by the CLI, by no copilot
    assert before and all(r.release is None and not r.unreleased for r in before)
    # the monitor and the MCP server run no model: they are held to every entry but the model's own
    assert admitted(site.settings(), sim, TwinSettings(), NoModel()) == release


@pytest.mark.asyncio
async def test_a_changed_policy_without_a_new_release_is_refused_at_start_or_runs_marked_unreleased(
        sim, tmp_path: Path) -> None:
    site = Site(tmp_path, sim)
    release = site.create(report(site.reports, "safety"))
    assert site.run("promote", release, "--user", "ada").exit_code == 0
    with site.policy.open("a") as policy:
        policy.write("\n# an edit nobody released\n")
    with pytest.raises(ReleaseRefused, match=rf"not the promoted release {release[:12]}: policy changed \(") as refused:
        async with copilot_on(sim, site.data, script("-"), policy_file=site.policy):
            pass
    assert "COPILOT_UNRELEASED=1" in str(refused.value)

    model = script([call("write_setpoint", machine_id="OV-201", tag="temp_setpoint", value=185)], "Waiting.")
    async with copilot_on(sim, site.data, model, policy_file=site.policy, unreleased=True) as copilot:
        assert copilot.release is None
        assert waiting(await ask(copilot, "olga", "set the oven to 185 degrees"))
        decisions = copilot.audit_records(kind=AuditKind.decision)
    assert decisions and all(r.unreleased and r.release is None for r in decisions)


def test_the_command_line_refuses_a_configuration_that_is_not_the_release_in_one_line(
        sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = Site(tmp_path, sim)
    assert site.run("promote", site.create(report(site.reports, "safety")), "--user", "ada").exit_code == 0
    site.policy.write_text(site.policy.read_text() + "\n# changed\n")
    monkeypatch.setenv("COPILOT_POLICY_FILE", str(site.policy))
    asked = cli(sim, site.data, tmp_path / "script.json", "ask", "how is the pump?", "--user", "olga",
                password="olga-demo")
    assert asked.returncode == 2 and "Traceback" not in asked.stderr
    [line] = asked.stderr.strip().splitlines()
    assert line.startswith("error: this configuration is not the promoted release") and "policy changed" in line


@pytest.mark.asyncio
async def test_a_site_that_never_promoted_a_release_runs_unreleased(sim, tmp_path: Path) -> None:
    async with copilot_on(sim, tmp_path / "data", script("Fine.")) as copilot:
        assert copilot.release is None
        await ask(copilot, "olga", "hello")
        assert all(r.unreleased for r in copilot.audit_records(kind=AuditKind.request))


def test_records_from_before_releases_still_read_and_a_changed_release_id_breaks_the_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite", key=b"k" * 32, heads_dir=tmp_path / "heads")
    before = log.append(kind=AuditKind.decision, actor="policy", tool="write_setpoint")
    log.stamp("ab" * 32)
    released = log.append(kind=AuditKind.decision, actor="policy", tool="write_setpoint")
    log.stamp(None)
    unreleased = log.append(kind=AuditKind.decision, actor="policy", tool="write_setpoint")
    assert [(r.release, r.unreleased) for r in log.records()] == [(None, True), ("ab" * 32, False), (None, False)]
    assert (before.release, released.release, unreleased.unreleased) == (None, "ab" * 32, True)
    assert log.verify().ok
    log.close()
    conn = sqlite3.connect(tmp_path / "audit.sqlite")
    conn.executescript("DROP TRIGGER audit_no_update; UPDATE audit SET body = replace(body, 'abab', 'cdcd') "
                       "WHERE seq = 2;")
    conn.close()
    log = AuditLog(tmp_path / "audit.sqlite", key=b"k" * 32, heads_dir=tmp_path / "heads")
    report = log.verify()
    log.close()
    assert not report.ok and report.first_bad_seq == 2


# -- comparing releases --------------------------------------------------------------------------------------

def test_release_diff_lists_the_changed_files_and_how_each_figure_moved(site: Site) -> None:
    first = site.create(report(site.reports, "safety", success=0.9, latency_s_mean=5.0), name="before")
    site.policy.write_text(site.policy.read_text() + "\n# a stricter rule\n")
    second = site.create(report(site.reports, "safety", success=0.95, latency_s_mean=4.5), name="after")
    shown = site.run("diff", first[:10], second[:10])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == f"release {first[:12]} → {second[:12]}"
    [changed] = [line for line in lines if line.strip().startswith("changed")]
    assert "policy" in changed and str(site.policy) in changed and "→" in changed
    assert not any(name in shown.output for name in ("plant ", "procedures ", "lexicon "))  # only what changed
    assert any("safety" in line and "success" in line and "0.9 → 0.95 (+0.05)" in line for line in lines)
    assert any("safety" in line and "latency mean" in line and "5 → 4.5 (-0.5)" in line for line in lines)


def test_releases_and_their_promotion_are_kept_in_the_database(database, tmp_path: Path) -> None:
    site = Site(tmp_path)  # COPILOT_DATABASE_URL, when set, puts them on PostgreSQL beside the audit log
    release = site.create(report(site.reports, "procurement"), name="kept")
    assert (site.data / "audit.sqlite").exists() == (database.url is None)
    settings = site.settings()
    first = Releases.of(settings)
    try:
        [listed] = first.listed()
        assert (listed.id, listed.name, [f.suite for f in listed.figures]) == (release, "kept", ["procurement"])
        assert first.running() is None
    finally:
        first.close()
    assert site.run("promote", release[:6], "--user", "ada").exit_code == 0
    reopened = Releases.of(settings)
    try:
        running, promotion = reopened.running()
        assert running.id == release and promotion.by == "ada"
        assert running.manifest.digest == release
    finally:
        reopened.close()


# -- bad input: one line, no traceback ------------------------------------------------------------------------

def test_bad_input_is_told_in_one_line(site: Site) -> None:
    release = site.create(report(site.reports, "safety"))
    assert "no release on this site with id 'abcdef12'" in one_error_line(site.run("show", "abcdef12"))
    assert "is not a release id" in one_error_line(site.run("promote", "v1.2", "--user", "ada"))
    assert "no release" in one_error_line(site.run("diff", release, "0123456789"))
    missing = one_error_line(site.run("create", "--report", str(site.reports / "nope.json")))
    assert "nope.json: No such file or directory" in missing
    not_a_report = one_error_line(site.run("create", "--report", str(site.thresholds)))
    assert "not an eval report" in not_a_report
    site.thresholds.write_text("min_success: [0.8\n")
    assert "not valid YAML" in one_error_line(site.run("promote", release, "--user", "ada"))
    site.thresholds.write_text("min_succes: 0.8\n")
    assert "min_succes: not a threshold" in one_error_line(site.run("promote", release, "--user", "ada"))
    site.thresholds.write_text("min_success: 80\n")
    assert "min_success: Input should be less than or equal to 1" in one_error_line(
        site.run("promote", release, "--user", "ada"))
    site.policy.write_text("rules: [\n")  # a policy the copilot would refuse is not frozen (ui/cli.py: one line)
    broken = site.run("create", "--name", "broken")
    assert isinstance(broken.exception, PolicyError) and str(site.policy) in str(broken.exception)
    assert "broken" not in site.run("list").output
