"""The audit log: append-only, hash-chained, tampering found, secrets never stored."""

from __future__ import annotations

import sqlite3

import pytest

from copilot.audit import AuditLog


@pytest.fixture
def log(tmp_path):
    audit = AuditLog(tmp_path / "audit.sqlite")
    for i in range(5):
        audit.append(kind="decision", actor="policy", tool="write_setpoint", arguments={"value": i},
                     decision={"kind": "allow"}, old_value=i, new_value=i + 1)
    yield audit
    audit.close()


def raw(log: AuditLog, tmp_path, sql: str) -> None:
    """Someone with the file: drops the triggers and edits it directly."""
    conn = sqlite3.connect(tmp_path / "audit.sqlite")
    conn.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;" + sql)
    conn.commit()
    conn.close()


def test_intact_chain_verifies(log):
    report = log.verify()
    assert report.ok and report.count == 5


def test_updates_and_deletes_are_refused(log, tmp_path):
    conn = sqlite3.connect(tmp_path / "audit.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE seq = 2")


def test_an_edited_record_is_found(log, tmp_path):
    raw(log, tmp_path, "UPDATE audit SET body = replace(body, '\"new_value\":3', '\"new_value\":30') WHERE seq = 3;")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.problem


def test_a_removed_record_is_found(log, tmp_path):
    raw(log, tmp_path, "DELETE FROM audit WHERE seq = 2;")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 2 and "missing" in report.problem


def test_a_rewritten_record_with_a_fresh_hash_still_breaks_the_chain(log, tmp_path):
    # flip the first hex digit to a different one (a fixed 'f' left a hash that began with 'f' unchanged)
    raw(log, tmp_path, "UPDATE audit SET hash = CASE substr(hash, 1, 1) WHEN 'f' THEN '0' ELSE 'f' END"
                       " || substr(hash, 2) WHERE seq = 4;")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 4


def test_secrets_are_redacted(tmp_path):
    audit = AuditLog(tmp_path / "a.sqlite")
    record = audit.append(kind="request", actor="x", arguments={"api_key": "sk-123", "nested": {"Password": "p"}, "ok": 1})
    assert record.arguments == {"api_key": "***", "nested": {"Password": "***"}, "ok": 1}
    stored = b"".join(f.read_bytes() for f in tmp_path.glob("a.sqlite*"))
    assert b"sk-123" not in stored and b"Password" in stored


def test_filters_and_search(log):
    log.append(kind="approval", actor="sam", tool="write_setpoint", approvers=["sam"])
    assert [r.actor for r in log.records(kind="approval")] == ["sam"]
    assert [r.seq for r in log.records(text='"value":4')] == [5]
