"""The approval queue as the tools read it (tools/sign_offs.py): what waits for a sign-off and what was decided."""

from __future__ import annotations

import time

from copilot.store.approvals import ApprovalQueue, ApprovalStatus, PendingAction
from tools.sign_offs import SignOff, SignOffStatus

__all__ = ["QueueSignOffs"]

_DECIDED_AT_MOST = 500
_STATUS = {ApprovalStatus.pending: SignOffStatus.waiting, ApprovalStatus.approved: SignOffStatus.approved,
           ApprovalStatus.rejected: SignOffStatus.rejected, ApprovalStatus.expired: SignOffStatus.expired}


def _sign_off(action: PendingAction) -> SignOff:
    return SignOff(action_id=action.action_id, tool=action.tool, change=action.change or action.tool,
                   machine_id=action.facts.get("machine_id"), order_id=action.arguments.get("order_id"),
                   requester=action.requester,
                   status=_STATUS[action.status],
                   approvers=action.approvers, needed=action.decision.approvers, asked_at=action.created_at,
                   decided_at=action.decided_at)


class QueueSignOffs:
    """The sign-offs of one approval queue."""

    def __init__(self, queue: ApprovalQueue) -> None:
        self._queue = queue

    def waiting(self) -> list[SignOff]:
        return [_sign_off(a) for a in self._queue.pending()]

    def decided(self, since_s: float) -> list[SignOff]:
        after = time.time() - since_s
        return [_sign_off(a) for a in self._queue.decided(limit=_DECIDED_AT_MOST) if (a.decided_at or 0) >= after]
