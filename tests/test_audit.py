"""The audit log: append-only, hash-chained, tampering found, secrets never stored."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from copilot.store import audit as audit_module
from copilot.store.audit import AuditLog

KEY = b"k" * 32


def opened(tmp_path, name: str = "audit.sqlite", key: bytes = KEY) -> AuditLog:
    """A log in ``tmp_path`` with its head kept in a folder beside it (outside its data, as in a plant)."""
    return AuditLog(tmp_path / name, key=key, heads_dir=tmp_path / "heads")


@pytest.fixture
def log(tmp_path):
    audit = opened(tmp_path)
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
    audit = opened(tmp_path, "a.sqlite")
    record = audit.append(kind="request", actor="x",
                          arguments={"api_key": "sk-123", "nested": {"Password": "p"}, "ok": 1})
    assert record.arguments == {"api_key": "***", "nested": {"Password": "***"}, "ok": 1}
    stored = b"".join(f.read_bytes() for f in tmp_path.glob("a.sqlite*"))
    assert b"sk-123" not in stored and b"Password" in stored


def test_filters_and_search(log):
    log.append(kind="approval", actor="sam", tool="write_setpoint", approvers=["sam"])
    assert [r.actor for r in log.records(kind="approval")] == ["sam"]
    assert [r.seq for r in log.records(text='"value":4')] == [5]


def test_cutting_the_newest_records_off_is_found(log, tmp_path):
    raw(log, tmp_path, "DELETE FROM audit WHERE seq >= 4;")
    report = log.verify()
    assert not report.ok and "records 4..5 are missing" in report.problem


def test_replacing_the_whole_file_is_found(log, tmp_path):
    log.close()
    for f in tmp_path.glob("audit.sqlite*"):
        f.unlink()
    fresh = opened(tmp_path)
    fresh.append(kind="request", actor="mallory", arguments={"text": "nothing happened here"})
    report = fresh.verify()
    assert not report.ok and "missing" in report.problem
    fresh.close()


def test_an_edited_and_rechained_log_is_found_without_the_key(log, tmp_path):
    """Whoever has the data folder but not the key edits a record and computes every hash again."""
    import hashlib
    import json

    conn = sqlite3.connect(tmp_path / "audit.sqlite")
    conn.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
    conn.execute("UPDATE audit SET body = replace(body, '\"new_value\":3', '\"new_value\":30') WHERE seq = 3")
    prev = "0" * 64
    for seq, ts, kind, actor, thread, action, tool, body in conn.execute(
            "SELECT seq, ts, kind, actor, thread_id, action_id, tool, body FROM audit ORDER BY seq").fetchall():
        canonical = prev + json.dumps([seq, ts, kind, actor, thread, action, tool, body], separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()  # the best a key-less forger can do
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 1


def test_a_kept_head_that_was_edited_is_found(log, tmp_path):
    path = log.head_file
    path.write_text(path.read_text().replace('"count":5', '"count":2'))
    assert not log.verify().ok and "signature" in log.verify().problem


def test_a_log_from_before_keys_keeps_verifying_and_is_keyed_from_then_on(tmp_path):
    import hashlib
    import json

    conn = sqlite3.connect(tmp_path / "old.sqlite")  # an audit file written by the unkeyed version
    conn.executescript("CREATE TABLE audit (seq INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL, "
                       "actor TEXT NOT NULL, thread_id TEXT, action_id TEXT, tool TEXT, body TEXT NOT NULL, "
                       "prev_hash TEXT NOT NULL, hash TEXT NOT NULL);")
    body = json.dumps({"arguments": None, "decision": None, "approvers": [], "result": None, "old_value": None,
                       "new_value": None}, sort_keys=True, separators=(",", ":"))
    canonical = "0" * 64 + json.dumps([1, 1.0, "request", "olga", None, None, None, body], separators=(",", ":"))
    conn.execute("INSERT INTO audit VALUES (1, 1.0, 'request', 'olga', NULL, NULL, NULL, ?, ?, ?)",
                 (body, "0" * 64, hashlib.sha256(canonical.encode()).hexdigest()))
    conn.commit()
    conn.close()
    log = opened(tmp_path, "old.sqlite")
    log.append(kind="request", actor="sam")
    assert log.verify().ok and log.verify().count == 2
    log.close()


def test_a_batch_keeps_the_head_once_at_its_end_and_a_cut_is_still_found(log, tmp_path, monkeypatch):
    monkeypatch.setattr(audit_module, "HEAD_LAG_S", 3600.0)  # however slow the machine
    with log.batch():
        for i in range(3):
            log.append(kind="decision", actor="policy", tool="write_setpoint", arguments={"value": i})
        assert log.kept_head().count == 5  # each record is written at once; the head waits for the batch's end
    assert log.kept_head().count == 8 and log.verify().ok
    raw(log, tmp_path, "DELETE FROM audit WHERE seq >= 7;")
    report = log.verify()
    assert not report.ok and "records 7..8 are missing" in report.problem


def test_a_batch_open_past_the_lag_keeps_the_head_of_each_record_again(log, monkeypatch):
    monkeypatch.setattr(audit_module, "HEAD_LAG_S", 0.0)  # overlapping runs kept a batch open for long
    with log.batch():
        log.append(kind="decision", actor="policy", tool="write_setpoint", arguments={"value": 1})
        assert log.kept_head().count == 6


async def test_a_batch_held_together_writes_its_records_at_its_end_and_another_tasks_at_once(log):
    """A step that changes nothing holds its records for one transaction at its end; a task running beside it
    (another conversation in the same process) still writes each of its records at once."""
    beside_written = asyncio.Event()

    async def beside() -> None:
        log.append(kind="execution", actor="other", tool="write_setpoint")
        beside_written.set()

    with log.batch(together=True):
        log.append(kind="proposal", actor="olga", tool="machine_status")
        await asyncio.create_task(beside())
        await asyncio.wait_for(beside_written.wait(), timeout=60)
        assert [r.actor for r in log.records(limit=2)] == ["other", "policy"]  # held: not written yet
        log.append(kind="result", actor="olga", tool="machine_status")
    assert [(r.kind, r.actor) for r in log.records(limit=3)][::-1] == [
        ("execution", "other"), ("proposal", "olga"), ("result", "olga")]
    assert log.verify().ok and log.kept_head().count == 8
