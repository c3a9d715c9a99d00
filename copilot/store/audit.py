"""The append-only audit log: every request, decision, approval, execution and result, hash-chained.

Each record's hash is an HMAC, under a key kept outside the data folder, of the previous record's hash and the
record's own canonical JSON: editing, removing or reordering any record breaks the chain from there on, and whoever
holds only the data folder cannot re-chain it. After every append (once at the end of a ``batch()``: a run of the
graph) a signed *head* (how many records, the last hash) is written to a file outside the data folder, so cutting
records off the end, or replacing the whole file, is caught as well; ``verify`` finds the first break. Triggers
refuse UPDATE and DELETE (on PostgreSQL also TRUNCATE), and the chain catches whoever drops them. Appends from several
processes are taken one at a time, so the chain never forks and has no gap. Secret-looking values are redacted.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, TypeAdapter

from copilot.identity.keys import key_from
from copilot.settings import CopilotSettings
from copilot.store.audit_chain import GENESIS, Head, record_hash, redact
from copilot.store.db import Location, PerDialect, Sql, Statements, Store
from policies.model import Decision

_DECISION = TypeAdapter(Decision)


class AuditKind(StrEnum):
    """What a record is of."""

    request = "request"  # an operator's words
    procedure = "procedure"  # the procedure chosen, with its slots
    proposal = "proposal"  # a call the model or a procedure proposed
    decision = "decision"  # the policy's, when the call was proposed
    recheck = "recheck"  # the policy's again, just before the call ran
    approval = "approval"
    rejection = "rejection"
    execution = "execution"  # the call starts
    result = "result"
    alert = "alert"  # the monitor opened or cleared an alert, or a person closed one
    refusal = "refusal"  # a caller turned away before proposing anything: no or a bad token, not allowed
    unproven = "unproven"  # votes not honoured: no approval record of theirs verifies against the keyed chain
    release = "release"  # an admin promoted a release, or was refused (copilot/governance/)



_APPEND_ONLY_PG = """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"""

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS audit (
            seq INTEGER PRIMARY KEY,
            ts DOUBLE PRECISION NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            thread_id TEXT,
            action_id TEXT,
            tool TEXT,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""),
        Sql("CREATE INDEX IF NOT EXISTS audit_action ON audit(action_id)"),
        PerDialect(sqlite="CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
                          "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                   postgresql=_APPEND_ONLY_PG),
        PerDialect(sqlite="CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
                          "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
                   postgresql="CREATE OR REPLACE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
                              "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"),
        PerDialect(sqlite=None,  # SQLite has no TRUNCATE
                   postgresql="CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
                              "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"),
        Sql("CREATE TABLE IF NOT EXISTS audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"),
    ),
)
_APPEND = "audit-append"  # the lock that takes appends one at a time


class _Entry(NamedTuple):
    """A record before it is chained: what ``append`` was given, as it will be stored."""

    ts: float
    kind: str
    actor: str
    thread_id: str | None
    action_id: str | None
    tool: str | None
    body: str


HEAD_LAG_S = 2.0
"""The longest the kept head lags the chain while batches stay open (runs overlapping without end)."""

_HELD: ContextVar[tuple[AuditLog, asyncio.Task | None, list[_Entry]] | None] = ContextVar("audit_held", default=None)
"""The records held for the end of a ``batch(together=True)``: the log they go to, the task whose they are (tasks it
starts inherit the variable, not the holding) and the records."""


def _task() -> asyncio.Task | None:
    """The asyncio task running now; None outside an event loop."""
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


class AuditRecord(BaseModel):
    """One entry of the log, as stored (JSON fields as written)."""

    seq: int
    ts: float
    kind: AuditKind
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
    release: str | None = None  # the id of the release the copilot that wrote it ran as
    unreleased: bool = False  # it ran unreleased; neither set: written before releases, or by no copilot
    prev_hash: str
    hash: str

    @property
    def judged(self) -> Decision | None:
        """The policy's decision this record holds, typed."""
        return _DECISION.validate_python(self.decision) if self.decision else None


class VerifyReport(BaseModel):
    """The result of checking the audit chain: whether it holds, how many records, and the first
    bad record with what is wrong."""

    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""


class AuditLog(Store):
    """The append-only audit log: each record chained to the last by a keyed hash, so that a changed,
    removed or reordered record is found by :meth:`verify`."""

    store, migrations = "audit", _MIGRATIONS

    def __init__(self, location: Location, *, key: bytes, heads_dir: Path | None = None) -> None:
        """``key``: the chain's key (kept outside the data folder); ``heads_dir``: the folder, outside the data
        folder, where the signed head of this log is kept after every append or batch (None: no head is kept)."""
        super().__init__(location)
        self._name = self._db.name  # the file's path, or the database's URL without its password
        self._key = key
        self._heads_dir = heads_dir
        with self._db.transaction(serial=_APPEND) as tx:
            if tx.one("SELECT value FROM audit_meta WHERE name = 'keyed_from'") is None:
                # a new log, or one written before keys: its records so far stay plain hashes
                last = tx.one("SELECT MAX(seq) AS last FROM audit")["last"] or 0
                tx.execute("INSERT INTO audit_meta VALUES ('keyed_from', ?)", (str(last + 1),))
            self._keyed_from_seq = self._keyed_from(tx)  # set once, when the log was made: appends key from it
        self._batches = 0  # open batch() blocks: the head is kept when the last one ends
        self._head_behind = False
        self._head_kept_at = time.monotonic()
        self._stamp: dict[str, Any] = {}

    def stamp(self, release: str | None) -> None:
        """Every record appended from now on names the release the copilot runs as: its id, or (None) that it
        runs unreleased. Inside the record's body, so the chain covers it; records from before read as neither."""
        self._stamp = {"release": release} if release else {"unreleased": True}

    @classmethod
    def of(cls, settings: CopilotSettings) -> AuditLog:
        """The audit log of these settings, with its key and its kept head."""
        return cls(settings.audit_db, key=key_from(settings.audit_key, settings.audit_key_file),
                   heads_dir=settings.audit_heads_dir)

    @staticmethod
    def _keyed_from(db: Statements) -> int:
        return int(db.one("SELECT value FROM audit_meta WHERE name = 'keyed_from'")["value"])

    def _key_for(self, seq: int, keyed_from: int) -> bytes | None:
        return self._key if seq >= keyed_from else None

    @property
    def head_file(self) -> Path | None:
        """Where this log's signed head is kept: one file per audit log, named by its path or URL."""
        if self._heads_dir is None:
            return None
        return self._heads_dir / f"audit-{hashlib.sha256(self._name.encode()).hexdigest()[:16]}.json"

    def head(self) -> Head:
        """The chain's end now, signed: to keep, or to print for a ticket."""
        return self._head(self._db)

    def _head(self, db: Statements) -> Head:
        last = db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        count, digest = (last["seq"], last["hash"]) if last else (0, GENESIS)
        return self._signed_head(count, digest, self._keyed_from(db))

    def _signed_head(self, count: int, digest: str, keyed_from: int) -> Head:
        return Head(log=self._name, count=count, head=digest, keyed_from=keyed_from, at=time.time()).signed(self._key)

    @contextmanager
    def batch(self, *, together: bool = False) -> Iterator[None]:
        """Appends inside keep the head once, when the outermost block ends (or once it lags ``HEAD_LAG_S``: blocks of
        several runs may overlap for long). Each record is written at once; with
        ``together`` (a step that changes nothing, so no record must be stored before an effect) this task's
        records are written at the block's end, in one transaction, in the order appended."""
        held = _HELD.set((self, _task(), [])) if together and _HELD.get() is None else None
        self._batches += 1
        try:
            yield
        finally:
            self._batches -= 1
            if held is not None:
                _, _, entries = _HELD.get()
                _HELD.reset(held)
                if entries:
                    self._write(entries)  # keeps the head too, when no other batch is open
            if not self._batches and self._head_behind:
                self._head_behind = False
                with self._db.transaction(serial=_APPEND) as tx:
                    last = tx.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                    if last is not None:
                        self._keep_head(tx, last["seq"], last["hash"])

    def _keep_head(self, tx: Statements, count: int, digest: str) -> None:
        """Keep the head of the record just appended (``count``, ``digest``), unless the kept one shows the log
        was cut or rewritten: that stays as evidence."""
        if (path := self.head_file) is not None:
            kept = self.kept_head()
            broken = kept is not None and (not kept.genuine(self._key) or self._hash_at(tx, kept.count) != kept.head)
            if broken and kept.count:
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(self._signed_head(count, digest, self._keyed_from_seq).model_dump_json())
            os.replace(temporary, path)
            self._head_kept_at = time.monotonic()

    @staticmethod
    def _hash_at(db: Statements, seq: int) -> str | None:
        row = db.one("SELECT hash FROM audit WHERE seq = ?", (seq,))
        return row["hash"] if row else (GENESIS if seq == 0 else None)

    def kept_head(self) -> Head | None:
        path = self.head_file
        if path is None or not path.exists():
            return None
        try:
            return Head.model_validate_json(path.read_text())
        except ValueError:  # not a head any more: it counts as edited
            return Head(log=self._name, count=-1, head="", keyed_from=0, at=0.0, signature="unreadable")

    def approvals_of(self, action_id: str) -> list[AuditRecord]:
        """The action's approval records that hold: each one's keyed hash verifies (only the key's holder wrote
        it) and it follows the record before it; a record forged or altered in the database is left out."""
        rows = self._db.all("SELECT * FROM audit WHERE kind = ? AND action_id = ? ORDER BY seq",
                            (str(AuditKind.approval), action_id))
        return [self._record(r) for r in rows if self._holds(r)]

    def _holds(self, row: Any) -> bool:
        """Whether a stored record is one this log's key wrote, in its place in the chain (keyed whatever the
        log's key marker says, which the database's holder could move)."""
        digest = record_hash(self._key, row["prev_hash"], row["seq"], row["ts"], row["kind"], row["actor"],
                         row["thread_id"], row["action_id"], row["tool"], row["body"])
        return hmac.compare_digest(digest, row["hash"]) and self._hash_at(self._db, row["seq"] - 1) == row["prev_hash"]

    def append(
        self,
        *,
        kind: AuditKind,
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
    ) -> AuditRecord | None:
        """Add one record at the end of the chain (several processes may append; the chain stays linear); None
        when it is held for the end of its ``batch(together=True)``."""
        body = json.dumps(
            redact({"arguments": arguments, "decision": decision, "approvers": approvers or [], "result": result,
                    "old_value": old_value, "new_value": new_value, **self._stamp}),
            sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False,
        )
        entry = _Entry(time.time(), kind, actor, thread_id, action_id, tool, body)
        held = _HELD.get()
        if held is not None and held[0] is self and held[1] is _task():
            held[2].append(entry)
            return None
        return self._write([entry])[0]

    def _write(self, entries: list[_Entry]) -> list[AuditRecord]:
        """The entries chained on at the end, in one transaction; the head kept after them unless in a batch."""
        rows = []
        with self._db.transaction(serial=_APPEND) as tx:
            last = tx.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            seq, prev = (last["seq"], last["hash"]) if last else (0, GENESIS)
            for e in entries:
                seq += 1
                digest = record_hash(self._key_for(seq, self._keyed_from_seq), prev, seq, e.ts, e.kind, e.actor,
                                 e.thread_id, e.action_id, e.tool, e.body)
                row = (seq, e.ts, e.kind, e.actor, e.thread_id, e.action_id, e.tool, e.body, prev, digest)
                tx.execute("INSERT INTO audit VALUES (?,?,?,?,?,?,?,?,?,?)", row)
                rows.append(row)
                prev = digest
            if self._batches and time.monotonic() - self._head_kept_at < HEAD_LAG_S:
                self._head_behind = True
            else:
                self._keep_head(tx, seq, prev)  # inside the lock: heads are kept in the order of the chain
                self._head_behind = False
        columns = ("seq", "ts", "kind", "actor", "thread_id", "action_id", "tool", "body", "prev_hash", "hash")
        return [self._record(dict(zip(columns, row, strict=True))) for row in rows]

    def records(self, *, actor: str | None = None, tool: str | None = None, kind: str | None = None,
                thread_id: str | None = None, action_id: str | None = None, text: str | None = None,
                since: float | None = None, until: float | None = None, limit: int = 200) -> list[AuditRecord]:
        """Newest first, filtered; ``text`` searches the arguments, decisions and results; ``since`` and ``until``
        bound the time written (``until`` left out)."""
        where, params = [], []
        for column, value in (("actor", actor), ("tool", tool), ("kind", kind), ("thread_id", thread_id),
                              ("action_id", action_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        for bound, value in (("ts >= ?", since), ("ts < ?", until)):
            if value is not None:
                where.append(bound)
                params.append(value)
        if text:
            where.append(f"body {self._db.dialect.like} ?")
            params.append(f"%{text}%")
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC LIMIT ?"
        return [self._record(r) for r in self._db.all(sql, (*params, limit))]

    def verify(self, head: Head | None = None) -> VerifyReport:
        """Walk the chain from the start; the first record that does not fit is reported. Then hold it
        against ``head`` (a head printed for a ticket), else the kept head: a chain shorter than the head
        saw, or one that differs where the head ended, was cut or rewritten."""
        head = head or self.kept_head()
        if head is not None and not head.genuine(self._key):
            return VerifyReport(ok=False, count=0, problem="the kept head's signature does not match: it was edited")
        keyed_from = self._keyed_from(self._db)
        if head is not None and keyed_from != head.keyed_from:
            return VerifyReport(ok=False, count=0, first_bad_seq=min(keyed_from, head.keyed_from),
                                problem="the log's key marker was changed")
        hashes: dict[int, str] = {}
        prev, expected_seq, count = GENESIS, 1, 0
        for row in self._db.all("SELECT * FROM audit ORDER BY seq"):
            count += 1
            if row["seq"] != expected_seq:
                return VerifyReport(ok=False, count=count, first_bad_seq=expected_seq,
                                    problem=f"record {expected_seq} is missing (next is {row['seq']})")
            if row["prev_hash"] != prev:
                return VerifyReport(ok=False, count=count, first_bad_seq=row["seq"],
                                    problem=f"record {row['seq']} does not follow record {row['seq'] - 1}")
            digest = record_hash(self._key_for(row["seq"], keyed_from), prev, row["seq"], row["ts"], row["kind"],
                             row["actor"], row["thread_id"], row["action_id"], row["tool"], row["body"])
            if digest != row["hash"]:
                return VerifyReport(ok=False, count=count, first_bad_seq=row["seq"],
                                    problem=f"record {row['seq']} was altered after it was written")
            prev, expected_seq = row["hash"], expected_seq + 1
            if head is not None and row["seq"] == head.count:
                hashes[head.count] = row["hash"]
        if head is not None and head.count > count:
            kept_at = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(head.at))
            return VerifyReport(ok=False, count=count, first_bad_seq=count + 1,
                                problem=f"records {count + 1}..{head.count} are missing: the head kept at "
                                        f"{kept_at} saw {head.count}")
        if head is not None and head.count and hashes.get(head.count) != head.head:
            return VerifyReport(ok=False, count=count, first_bad_seq=head.count,
                                problem=f"record {head.count} is not the one the kept head saw: "
                                        "the chain was rewritten")
        return VerifyReport(ok=True, count=count)

    @staticmethod
    def _record(row) -> AuditRecord:
        body = json.loads(row["body"])
        return AuditRecord(seq=row["seq"], ts=row["ts"], kind=row["kind"], actor=row["actor"],
                           thread_id=row["thread_id"], action_id=row["action_id"], tool=row["tool"],
                           prev_hash=row["prev_hash"], hash=row["hash"], **body)
