"""The copilot's database (copilot/store/db.py), on SQLite and on PostgreSQL: several processes on one database (app
replicas, the CLI, the monitor, MCP servers) keep one audit chain and run an action once; schemas are made and
migrated by the copilot, old files still open, a bad URL is refused. (Two replicas resuming the same approved
conversation: tests/test_exactly_once.py.)"""

from __future__ import annotations

import multiprocessing
import sqlite3

import psycopg
import pytest
import state_workers
from pydantic import ValidationError

from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalQueue
from copilot.store.audit import AuditLog
from copilot.store.db import BadDatabaseUrl, Database, Dialect, SchemaTooNew
from copilot.store.ledger import ExecutionLedger

KEY = b"k" * 32
SPAWN = multiprocessing.get_context("spawn")  # real, fresh processes: nothing shared but the database


def in_processes(target, argument_lists: list[tuple]) -> list:
    with SPAWN.Pool(len(argument_lists)) as pool:
        return pool.starmap(target, argument_lists)


def test_concurrent_appends_from_several_processes_make_one_chain_without_gaps(database, tmp_path):
    location, writers, each = database.location(tmp_path / "audit.sqlite"), 3, 40
    AuditLog(location, key=KEY, heads_dir=tmp_path / "heads").close()  # made once, before the writers
    barrier = SPAWN.Manager().Barrier(writers)
    in_processes(state_workers.append_audit,
                 [(location, KEY, tmp_path / "heads", w, each, barrier) for w in range(writers)])
    log = AuditLog(location, key=KEY, heads_dir=tmp_path / "heads")
    records = log.records(limit=1000)
    report = log.verify()
    log.close()
    assert report.ok, report.problem
    assert sorted(r.seq for r in records) == list(range(1, writers * each + 1))  # no fork, no gap
    assert {r.actor for r in records} == {f"writer-{w}" for w in range(writers)}


def test_two_processes_racing_to_run_the_same_approved_action_run_it_once(database, tmp_path):
    location, ran = database.location(tmp_path / "state.sqlite"), tmp_path / "ran.txt"
    ExecutionLedger(location).close()
    barrier = SPAWN.Manager().Barrier(2)
    fresh = in_processes(state_workers.run_action_once, [(location, "act-1", ran, barrier) for _ in range(2)])
    assert sorted(fresh) == [False, True]  # one ran it, the other waited for its outcome
    assert len(ran.read_text().splitlines()) == 1
    ledger = ExecutionLedger(location)
    assert ledger.lookup("act-1").attempts == 1 and ledger.executed() == ["act-1"]
    ledger.close()


def test_opening_from_several_processes_at_once_migrates_once(database, tmp_path):
    location = database.location(tmp_path / "state.sqlite")
    barrier = SPAWN.Manager().Barrier(4)
    in_processes(state_workers.open_every_store, [(location, barrier) for _ in range(4)])
    db = Database.open(location)
    versions = {r["store"]: r["version"] for r in db.all("SELECT store, version FROM schema_version")}
    db.close()
    assert versions == {"approvals": 2, "ledger": 2, "conversations": 1, "alerts": 3, "twin_checks": 1}  # those, once


def test_a_database_migrated_by_a_newer_copilot_is_refused_with_its_versions(database, tmp_path):
    location = database.location(tmp_path / "state.sqlite")
    ExecutionLedger(location).close()
    db = Database.open(location)
    db.execute("UPDATE schema_version SET version = 9 WHERE store = 'ledger'", ())
    db.close()
    with pytest.raises(SchemaTooNew, match="ledger tables are at version 9, this copilot knows 2"):
        ExecutionLedger(location)


def test_the_audit_log_on_postgres_refuses_updates_deletes_and_truncation(database, tmp_path):
    if database.dialect is not Dialect.postgresql:
        pytest.skip("SQLite's triggers: tests/test_audit.py")
    log = AuditLog(database.url, key=KEY, heads_dir=tmp_path / "heads")
    log.append(kind="request", actor="olga", arguments={"text": "hello"})
    log.close()
    with psycopg.connect(database.url, autocommit=True) as conn:
        for sql in ("UPDATE audit SET actor = 'mallory'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)


def test_state_files_of_an_earlier_version_open_and_gain_the_new_columns(tmp_path):
    """A queue from before actions said where they came from, a ledger from before claims, no schema_version."""
    old = sqlite3.connect(tmp_path / "copilot.sqlite")
    old.executescript(
        "CREATE TABLE actions (action_id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, requester TEXT NOT NULL, "
        "requester_role TEXT NOT NULL, tool TEXT NOT NULL, arguments TEXT NOT NULL, digest TEXT NOT NULL, "
        "risk TEXT NOT NULL, decision TEXT NOT NULL, change TEXT NOT NULL, facts TEXT NOT NULL, status TEXT NOT NULL, "
        "created_at REAL NOT NULL, expires_at REAL NOT NULL, decided_at REAL);"
        "CREATE TABLE executions (action_id TEXT PRIMARY KEY, tool TEXT NOT NULL, status TEXT NOT NULL, "
        "attempts INTEGER NOT NULL, result TEXT, started_at REAL NOT NULL, finished_at REAL);"
        "INSERT INTO executions VALUES ('old-1', 'create_work_order', 'done', 1, '{\"id\": \"WO-9\"}', 1.0, 2.0);")
    old.close()
    ledger, queue = ExecutionLedger(tmp_path / "copilot.sqlite"), ApprovalQueue(tmp_path / "copilot.sqlite")
    assert ledger.lookup("old-1").result == {"id": "WO-9"} and queue.pending() == []
    ledger.close()
    queue.close()
    columns = {t: {r[1] for r in sqlite3.connect(tmp_path / "copilot.sqlite").execute(f"PRAGMA table_info({t})")}
               for t in ("actions", "executions")}
    assert "via" in columns["actions"] and "claimed_by" in columns["executions"]


def test_a_database_url_that_is_not_postgres_is_refused_without_echoing_its_password():
    with pytest.raises(ValidationError, match="database_url") as refused:
        CopilotSettings(database_url="mysql://copilot:hunter2@db/plant")
    assert "hunter2" not in str(refused.value) and "postgresql://" in str(refused.value)
    with pytest.raises(BadDatabaseUrl, match="names no host or no database"):
        Database.open("postgresql://copilot@db")
