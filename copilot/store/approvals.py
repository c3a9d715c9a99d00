"""The durable queue of actions waiting for sign-off, across all conversations.

An approval is for one action, exactly its arguments and the facts its approvers
saw (copilot/agent/binding.py): each vote records the digest of what it approved, and the
executor runs only when every vote matches the digest of what it is about to run.
An approved action has a deadline to run; an action whose facts changed before it
ran is opened again for a new approval. The queue survives restarts; the graph's
interrupt is only the bookmark of where to resume.
"""

from __future__ import annotations

import hashlib
import json
import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, TypeAdapter

from copilot.agent.binding import approval_digest, canonical_json
from copilot.store.db import AddColumn, Location, Sql, Statements, Store
from policies.engine import ApprovalRefused, check_approver, is_satisfied
from policies.model import Decision, Prediction, RequireApproval, Role


class ApprovalStatus(StrEnum):
    """Where an action in the approval queue stands."""

    pending = "pending"
    approved = "approved"  # and not yet run: it must run before ``expires_at``
    rejected = "rejected"
    expired = "expired"  # not decided in time, or approved but not run in time


class Verdict(StrEnum):
    """A supervisor's vote on an action."""

    approve = "approve"
    reject = "reject"


class Origin(StrEnum):
    """Where an action came from, as the supervisor who signs it off is told."""

    chat = "chat"  # a person in the app or the CLI
    monitor = "monitor"  # the monitor, on what it found in the live plant
    mcp = "mcp"  # another agent or tool over MCP, as a named user
    form = "form"  # a person who filled in a procedure's form (the app or the CLI)

    @property
    def label(self) -> str:
        return {Origin.chat: "in the chat", Origin.monitor: "raised by the monitor", Origin.mcp: "via MCP",
                Origin.form: "from a form"}[self]


_DECISION = TypeAdapter(Decision)

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS actions (
            action_id TEXT PRIMARY KEY,
            thread_id TEXT NOT NULL,
            requester TEXT NOT NULL,
            requester_role TEXT NOT NULL,
            tool TEXT NOT NULL,
            arguments TEXT NOT NULL,
            digest TEXT NOT NULL,
            risk TEXT NOT NULL,
            decision TEXT NOT NULL,
            change TEXT NOT NULL,
            facts TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            decided_at DOUBLE PRECISION
        )"""),
        Sql("CREATE INDEX IF NOT EXISTS actions_status ON actions(status)"),
        Sql("""CREATE TABLE IF NOT EXISTS votes (
            action_id TEXT NOT NULL REFERENCES actions(action_id),
            approver TEXT NOT NULL,
            role TEXT NOT NULL,
            verdict TEXT NOT NULL CHECK (verdict IN ('approve', 'reject')),
            comment TEXT NOT NULL,
            digest TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (action_id, approver)
        )"""),
    ),
    (AddColumn("actions", "via", "TEXT NOT NULL DEFAULT 'chat'"),),  # where an action came from (Origin)
)


def action_digest(tool: str, arguments: dict[str, Any]) -> str:
    """The fingerprint of a call: the tool and its validated arguments (what a repeated call repeats)."""
    return hashlib.sha256(canonical_json({"tool": tool, "arguments": arguments}).encode()).hexdigest()


class UnknownAction(LookupError):
    """No action with that id is in the queue."""


class NotPending(RuntimeError):
    """The action was already decided or has expired."""


class Vote(BaseModel):
    approver: str
    role: Role
    verdict: Verdict
    comment: str
    digest: str
    at: float


class PendingAction(BaseModel):
    """One action as a supervisor sees it in the queue."""

    action_id: str
    thread_id: str
    requester: str
    requester_role: Role
    tool: str
    arguments: dict[str, Any]
    digest: str
    risk: str
    decision: RequireApproval
    change: str
    facts: dict[str, Any]
    status: ApprovalStatus
    created_at: float
    expires_at: float  # pending: the time to decide by; approved: the time to run by
    decided_at: float | None = None
    via: Origin = Origin.chat
    votes: list[Vote] = []

    @property
    def approvers(self) -> list[str]:
        return [v.approver for v in self.votes if v.verdict is Verdict.approve]

    @property
    def prediction(self) -> Prediction | None:
        """The twin's dry run of the change, when it is one to the process (a setpoint, a start or stop)."""
        raw = self.facts.get("prediction")
        return Prediction.model_validate(raw) if raw else None

    @property
    def age_s(self) -> float:
        return time.time() - self.created_at

    @property
    def approvals(self) -> list[tuple[str, Role]]:
        return [(v.approver, v.role) for v in self.votes if v.verdict is Verdict.approve]

    @property
    def approved_as_shown(self) -> bool:
        """Approved, by enough people, every one of them for these very arguments and facts."""
        approvals = [v for v in self.votes if v.verdict is Verdict.approve]
        return (
            self.status == ApprovalStatus.approved
            and is_satisfied(self.decision, [v.approver for v in approvals], requester=self.requester)
            and all(v.digest == self.digest for v in approvals)
            and self.digest == approval_digest(self.tool, self.arguments, self.facts)
        )


class ApprovalQueue(Store):
    """Actions waiting for sign-off: submitted, approved or rejected by votes, and expired when not
    decided, or not run, in time."""

    store, migrations = "approvals", _MIGRATIONS

    def __init__(self, location: Location, *, ttl_hours: float = 24.0, run_within_minutes: float = 30.0) -> None:
        """``ttl_hours``: how long an action waits for its decision; ``run_within_minutes``: how long an
        approval holds before the action must run (a process down longer than that asks again)."""
        super().__init__(location)
        self._ttl_s = ttl_hours * 3600
        self._run_within_s = run_within_minutes * 60

    def submit(
        self,
        *,
        action_id: str,
        thread_id: str,
        requester: str,
        requester_role: Role,
        tool: str,
        arguments: dict[str, Any],
        risk: str,
        decision: RequireApproval,
        change: str,
        facts: dict[str, Any],
        via: Origin = Origin.chat,
    ) -> PendingAction:
        """Queue an action; submitting the same action id again changes nothing (resumes re-run nodes)."""
        now = time.time()
        self._db.execute(
            "INSERT INTO actions (action_id, thread_id, requester, requester_role, tool, arguments, digest, risk, "
            "decision, change, facts, status, created_at, expires_at, via) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (action_id) DO NOTHING",
            (
                action_id,
                thread_id,
                requester,
                str(requester_role),
                tool,
                canonical_json(arguments),
                approval_digest(tool, arguments, facts),
                risk,
                decision.model_dump_json(),
                change,
                canonical_json(facts),
                "pending",
                now,
                now + self._ttl_s,
                str(via),
            ),
        )
        return self.get(action_id)

    def get(self, action_id: str) -> PendingAction:
        return self._get(self._db, action_id)

    def _get(self, db: Statements, action_id: str, *, lock: bool = False) -> PendingAction:
        """The action as ``db`` (the database, or a transaction) sees it; ``lock``: its row held until the
        transaction ends, so two votes, or a vote and a reopen, are taken one after the other."""
        row = db.one("SELECT * FROM actions WHERE action_id = ?", (action_id,), lock=lock)
        if row is None:
            raise UnknownAction(f"no action {action_id!r} in the approval queue")
        return self._action(db, row)

    def reopen(self, action_id: str, *, decision: RequireApproval, change: str, facts: dict[str, Any]) -> PendingAction:
        """Send an action whose facts or decision changed before it ran back for a new approval: the votes
        for what it was are dropped (the audit log keeps them), the new facts and decision are what the
        approvers see now."""
        now = time.time()
        with self._db.transaction() as tx:
            action = self._get(tx, action_id, lock=True)
            tx.execute("DELETE FROM votes WHERE action_id = ?", (action_id,))
            tx.execute(
                "UPDATE actions SET decision=?, change=?, facts=?, digest=?, status='pending', expires_at=?, "
                "decided_at=NULL WHERE action_id=?",
                (decision.model_dump_json(), change, canonical_json(facts),
                 approval_digest(action.tool, action.arguments, facts), now + self._ttl_s, action_id),
            )
        return self.get(action_id)

    def expire(self, action_id: str) -> PendingAction:
        """Mark an action that was not decided, or not run, in time as expired."""
        self._db.execute("UPDATE actions SET status='expired', decided_at=? WHERE action_id=? AND status IN "
                         "('pending', 'approved')", (time.time(), action_id))
        return self.get(action_id)

    def pending(self) -> list[PendingAction]:
        """Every action still waiting, oldest first; overdue ones are marked expired on the way."""
        self._db.execute(
            "UPDATE actions SET status = 'expired', decided_at = ? WHERE status = 'pending' AND expires_at < ?",
            (time.time(), time.time()),
        )
        rows = self._db.all("SELECT * FROM actions WHERE status = 'pending' ORDER BY created_at")
        return [self._action(self._db, r) for r in rows]

    def decided(self, *, limit: int = 50) -> list[PendingAction]:
        rows = self._db.all("SELECT * FROM actions WHERE status != 'pending' ORDER BY decided_at DESC LIMIT ?",
                            (limit,))
        return [self._action(self._db, r) for r in rows]

    def for_thread(self, thread_id: str) -> list[PendingAction]:
        rows = self._db.all("SELECT * FROM actions WHERE thread_id = ? ORDER BY created_at", (thread_id,))
        return [self._action(self._db, r) for r in rows]

    def approve(self, action_id: str, approver: str, role: Role, comment: str = "") -> PendingAction:
        """Record one approval; the action becomes approved once the policy's count is reached.

        Raises ApprovalRefused (own action, wrong role, twice), NotPending, UnknownAction.
        """
        return self._vote(action_id, approver, role, Verdict.approve, comment)

    def reject(self, action_id: str, approver: str, role: Role, comment: str = "") -> PendingAction:
        """One rejection by an eligible approver decides the action."""
        return self._vote(action_id, approver, role, Verdict.reject, comment)

    def _vote(self, action_id: str, approver: str, role: Role, verdict: Verdict, comment: str) -> PendingAction:
        with self._db.transaction() as tx:
            action = self._get(tx, action_id, lock=True)
            late = action.status == ApprovalStatus.pending and action.expires_at < time.time()
            if late:  # kept expired although the vote is refused: the refusal comes after the commit
                tx.execute(
                    "UPDATE actions SET status='expired', decided_at=? WHERE action_id=?", (time.time(), action_id)
                )
            else:
                if action.status != ApprovalStatus.pending:
                    raise NotPending(f"action {action_id} is already {action.status}")
                check_approver(action.decision, action.requester, approver, Role(role), action.approvers)
                now = time.time()
                tx.execute(
                    "INSERT INTO votes VALUES (?,?,?,?,?,?,?)",
                    (action_id, approver, str(role), verdict, comment, action.digest, now),
                )
                approvers = action.approvers + ([approver] if verdict is Verdict.approve else [])
                if verdict is Verdict.reject:
                    tx.execute("UPDATE actions SET status='rejected', decided_at=? WHERE action_id=?",
                                     (now, action_id))
                elif is_satisfied(action.decision, approvers):  # from now on, the time to run by
                    tx.execute("UPDATE actions SET status='approved', decided_at=?, expires_at=? "
                                     "WHERE action_id=?", (now, now + self._run_within_s, action_id))
        if late:
            raise NotPending(f"action {action_id} is already {ApprovalStatus.expired}")
        return self.get(action_id)

    @staticmethod
    def _action(db: Statements, row) -> PendingAction:
        votes = db.all("SELECT approver, role, verdict, comment, digest, at FROM votes WHERE action_id = ? ORDER BY at",
                       (row["action_id"],))
        return PendingAction(
            action_id=row["action_id"],
            thread_id=row["thread_id"],
            requester=row["requester"],
            requester_role=row["requester_role"],
            tool=row["tool"],
            arguments=json.loads(row["arguments"]),
            digest=row["digest"],
            risk=row["risk"],
            decision=_DECISION.validate_json(row["decision"]),
            change=row["change"],
            facts=json.loads(row["facts"]),
            status=row["status"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            decided_at=row["decided_at"],
            via=row["via"],
            votes=[Vote(**dict(v)) for v in votes],
        )


__all__ = [
    "ApprovalQueue",
    "ApprovalStatus",
    "ApprovalRefused",
    "NotPending",
    "Origin",
    "PendingAction",
    "UnknownAction",
    "action_digest",
]
