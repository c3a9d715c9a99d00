"""A flood of refusals cannot flood the audit log: a few records one by one, the rest counted into one record,
every refusal accounted for, and the chain still verifies."""

from __future__ import annotations

import httpx
import pytest
from mcp_helpers import over_http, serving

from copilot import Origin, RecordedSignIn
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.refusals import BURST, SOURCES, WINDOW_S, Refusals


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def refusals_in(audit: AuditLog) -> list:
    return audit.records(kind=AuditKind.refusal, limit=10_000)


def accounted(records) -> int:
    """How many refusals the records stand for: one each, or the count a summary carries."""
    return sum(r.result.get("repeated", 1) for r in records)


@pytest.fixture
def audit(tmp_path):
    log = AuditLog.of(CopilotSettings(data_dir=tmp_path))
    yield log
    log.close()


def test_a_burst_is_recorded_one_by_one_and_the_rest_is_counted_when_the_window_ends(audit):
    clock = Clock()
    refusals = Refusals(audit, clock=clock)
    for _ in range(50):
        refusals.record("unknown", "unknown token", via=Origin.mcp, address="10.0.0.9")
        clock.now += 0.01
    assert len(refusals_in(audit)) == BURST
    clock.now += WINDOW_S
    refusals.record("unknown", "unknown token", via=Origin.mcp, address="10.0.0.9")
    records = refusals_in(audit)
    summary = next(r for r in records if "repeated" in r.result)
    assert summary.result["repeated"] == 50 - BURST and summary.result["reason"] == "unknown token"
    assert summary.arguments["address"] == "10.0.0.9" and summary.arguments["via"] == "mcp"
    assert summary.result["first_at"] <= summary.result["last_at"]
    assert accounted(records) == 51  # the summary, then the new window's first refusal
    assert audit.verify().ok


def test_different_sources_are_counted_apart_and_their_number_is_bounded(audit):
    refusals = Refusals(audit, clock=Clock())
    for i in range(SOURCES + 300):
        refusals.record("unknown", "no bearer token", via=Origin.mcp, address=f"10.1.{i // 250}.{i % 250}")
    assert len(refusals_in(audit)) == SOURCES + BURST  # each followed source once, the overflow's burst
    refusals.flush()
    records = refusals_in(audit)
    assert accounted(records) == SOURCES + 300
    assert len(records) == SOURCES + BURST + 1


async def test_two_hundred_bad_tokens_over_http_leave_a_few_records_and_their_count(sim, tmp_path):
    async with serving(sim, tmp_path, user=None) as (mcp, tokens):
        async with over_http(mcp, tokens) as url, httpx.AsyncClient(timeout=10) as raw:
            body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
            for i in range(200):
                response = await raw.post(url, json=body, headers={"Authorization": f"Bearer pct_guess_{i}",
                                                                   "Accept": "application/json"})
                assert response.status_code == 401
        assert len(mcp.copilot.audit_records(kind=AuditKind.refusal)) == BURST
    audit = AuditLog.of(CopilotSettings(data_dir=tmp_path))  # closing the copilot wrote the count
    try:
        records = refusals_in(audit)
        assert len(records) == BURST + 1 and accounted(records) == 200
        assert not any("pct_guess" in str(r.model_dump()) for r in records)
        assert audit.verify().ok
    finally:
        audit.close()


def test_failed_sign_ins_are_audited_at_a_bounded_rate(tmp_path):
    settings = CopilotSettings(data_dir=tmp_path)
    signin = RecordedSignIn(settings)
    tries = 30
    for _ in range(tries):
        with pytest.raises(PermissionError):
            signin.check("olga", "not her password", address="192.0.2.7")
    signin.close()
    audit = AuditLog.of(settings)
    try:
        records = refusals_in(audit)
        assert accounted(records) == tries and len(records) <= 2 * BURST + 2
        assert {r.result["reason"] for r in records} == {"wrong user name or password", "too many failed sign-ins"}
        assert all(r.actor == "olga" and r.arguments["address"] == "192.0.2.7" for r in records)
        assert not any("not her password" in str(r.model_dump()) for r in records)
    finally:
        audit.close()
