"""What became of a proposed tool call: one enum for the graph, the procedures, the steps people see and the evals."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    done = "done"
    waiting = "waiting"  # queued for sign-off
    denied = "denied"  # refused by the policy
    rejected = "rejected"  # refused by a supervisor
    not_approved = "not_approved"  # decided, but without a valid approval for these arguments
    blocked = "blocked"  # not sent to the gate: a repeat, or the turn's budget is used up
    invalid_arguments = "invalid_arguments"
    error = "error"  # the system failed (unreachable, timed out, rejected the request)

    @property
    def ends_a_plan(self) -> bool:
        """A refusal of any kind: a plan or procedure stops here and the answer explains it."""
        return self in (Status.blocked, Status.denied, Status.rejected, Status.not_approved)
