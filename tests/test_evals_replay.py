"""The recorded suites, replayed: the local model's recorded replies run again against a fresh twin.

A scenario that succeeded when it was recorded must succeed on replay (a change of prompt, rule, tool or
check that breaks it fails here), and no run may show a policy violation.
"""

from __future__ import annotations

import pytest

from copilot.config import Configuration
from evals.report import Report
from evals.runner import Models, baseline_path, recordings_path, run_suite
from evals.scenario import available_suites, suite_named

RECORDED = [name for name in available_suites() if baseline_path(name).exists()]


def test_recordings_exist():
    assert RECORDED, "no suite has recordings: record with plant-copilot eval run SUITE --provider local --record"


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", RECORDED)
async def test_replay_matches_the_recorded_baseline(name: str):
    suite, plant = suite_named(name)  # on the plant it is written for
    baseline = Report.load(baseline_path(name))
    recorded = {r.scenario for r in baseline.results} & {s.id for s in suite.scenarios}
    recorded = {s for s in recorded if recordings_path(name, s).exists()}
    config = Configuration.for_site(suite.site)
    results = await run_suite(suite, Models("replay", name, llm=config.llm), config=config, k=1, plant=plant,
                              only=sorted(recorded))

    assert [v for r in results for v in r.violations] == []
    was = {r.scenario: r.success for r in baseline.results}
    regressed = [f"{r.scenario}: {'; '.join(c.name for c in r.checks if not c.passed) or r.error}"
                 for r in results if was.get(r.scenario) and not r.success]
    assert not regressed, "succeeded when recorded, fails on replay:\n" + "\n".join(regressed)
    assert sum(r.success for r in results) >= sum(was[s] for s in recorded)  # the suite's success did not drop
