"""The append-only audit log: every request, decision, approval, execution and result, hash-chained.

Each record's hash covers the previous record's hash and the record's own canonical
JSON, so editing, removing or reordering any record breaks the chain from there on;
``verify`` finds the first break. SQLite triggers refuse UPDATE and DELETE, and the
chain catches whoever drops them. Values under secret-looking keys are redacted
before they are written.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from copilot.db import connect

GENESIS = "0" * 64
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|api[_-]?key|authorization|credential", re.IGNORECASE)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    thread_id TEXT,
    action_id TEXT,
    tool TEXT,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def redact(value: Any) -> Any:
    """A copy with the values of secret-looking keys replaced."""
    if isinstance(value, dict):
        return {k: "***" if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class AuditRecord(BaseModel):
    seq: int
    ts: float
    kind: str
    actor: str
    thread_id: str | None = None
    action_id: str | None = None
    tool: str | None = None
    arguments: Any = None
    decision: Any = None
    approvers: list[str] = []
    result: Any = None
    old_value: Any = None
    new_value: Any = None
    prev_hash: str
    hash: str


class VerifyReport(BaseModel):
    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""


def _digest(prev_hash: str, seq: int, ts: float, kind: str, actor: str, thread_id: str | None,
            action_id: str | None, tool: str | None, body: str) -> str:
    canonical = json.dumps([seq, ts, kind, actor, thread_id, action_id, tool, body], separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


class AuditLog:
    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def append(
        self,
        *,
        kind: str,
        actor: str,
        thread_id: str | None = None,
        action_id: str | None = None,
        tool: str | None = None,
        arguments: Any = None,
        decision: Any = None,
        approvers: list[str] | None = None,
        result: Any = None,
        old_value: Any = None,
        new_value: Any = None,
    ) -> AuditRecord:
        """Add one record at the end of the chain (several processes may append; the chain stays linear)."""
        body = json.dumps(
            redact({"arguments": arguments, "decision": decision, "approvers": approvers or [], "result": result,
                    "old_value": old_value, "new_value": new_value}),
            sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False,
        )
        self._db.execute("BEGIN IMMEDIATE")
        try:
            last = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last["seq"] + 1, last["hash"]) if last else (1, GENESIS)
            ts = time.time()
            digest = _digest(prev, seq, ts, kind, actor, thread_id, action_id, tool, body)
            self._db.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?)",
                             (seq, ts, kind, actor, thread_id, action_id, tool, body, prev, digest))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self._record(self._db.execute("SELECT * FROM audit WHERE seq = ?", (seq,)).fetchone())

    def records(self, *, actor: str | None = None, tool: str | None = None, kind: str | None = None,
                thread_id: str | None = None, action_id: str | None = None, text: str | None = None,
                limit: int = 200) -> list[AuditRecord]:
        """Newest first, filtered; ``text`` searches the arguments, decisions and results."""
        where, params = [], []
        for column, value in (("actor", actor), ("tool", tool), ("kind", kind), ("thread_id", thread_id),
                              ("action_id", action_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if text:
            where.append("body LIKE ?")
            params.append(f"%{text}%")
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC LIMIT ?"
        return [self._record(r) for r in self._db.execute(sql, (*params, limit)).fetchall()]

    def verify(self) -> VerifyReport:
        """Walk the chain from the start; the first record that does not fit is reported."""
        prev, expected_seq, count = GENESIS, 1, 0
        for row in self._db.execute("SELECT * FROM audit ORDER BY seq"):
            count += 1
            if row["seq"] != expected_seq:
                return VerifyReport(ok=False, count=count, first_bad_seq=expected_seq,
                                    problem=f"record {expected_seq} is missing (next is {row['seq']})")
            if row["prev_hash"] != prev:
                return VerifyReport(ok=False, count=count, first_bad_seq=row["seq"],
                                    problem=f"record {row['seq']} does not follow record {row['seq'] - 1}")
            digest = _digest(prev, row["seq"], row["ts"], row["kind"], row["actor"], row["thread_id"],
                             row["action_id"], row["tool"], row["body"])
            if digest != row["hash"]:
                return VerifyReport(ok=False, count=count, first_bad_seq=row["seq"],
                                    problem=f"record {row['seq']} was altered after it was written")
            prev, expected_seq = row["hash"], expected_seq + 1
        return VerifyReport(ok=True, count=count)

    @staticmethod
    def _record(row) -> AuditRecord:
        body = json.loads(row["body"])
        return AuditRecord(seq=row["seq"], ts=row["ts"], kind=row["kind"], actor=row["actor"],
                           thread_id=row["thread_id"], action_id=row["action_id"], tool=row["tool"],
                           prev_hash=row["prev_hash"], hash=row["hash"], **body)
