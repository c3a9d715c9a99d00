"""What became of a proposed tool call: one status enum and one typed artifact, for the graph, the procedures,
the steps people see and the evals."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from langchain_core.messages import ToolMessage
from pydantic import BaseModel


class Status(StrEnum):
    """What became of one tool call, as the model and the operator are told it."""

    done = "done"
    waiting = "waiting"  # queued for sign-off
    denied = "denied"  # refused by the policy
    rejected = "rejected"  # refused by a supervisor
    not_approved = "not_approved"  # decided, but without a valid approval for these arguments
    blocked = "blocked"  # not sent to the gate: a repeat, or the turn's budget is used up
    invalid_arguments = "invalid_arguments"
    error = "error"  # the system failed (unreachable, timed out, rejected the request)
    unconfirmed = "unconfirmed"  # a change was sent but not confirmed; the same call again retries it under its key

    @property
    def ends_a_plan(self) -> bool:
        """A refusal of any kind: a plan or procedure stops here and the answer explains it."""
        return self in (Status.blocked, Status.denied, Status.rejected, Status.not_approved)


class ToolArtifact(BaseModel):
    """What became of one call, kept beside the text the model reads: what the steps people see, the
    procedures and the evals are made of. Stored as plain JSON in the conversation's checkpoint."""

    status: Status
    action_id: str | None = None
    digest: str | None = None  # of the tool and its arguments: what an approval is for
    decision: dict[str, Any] | None = None  # the policy's, as JSON
    change: str | None = None  # the one line a supervisor reads
    approvers: list[str] = []
    result: Any = None  # the tool's result, when it ran

    @classmethod
    def of(cls, message: ToolMessage) -> ToolArtifact:
        return cls.model_validate(message.artifact or {"status": Status.error})
