"""approvals_waiting and sign_off_history: the copilot's own record of sign-offs, read like any plant record.

"What is waiting for approval?", "who signed off the change on that order?", "what changed on the oven today?" are
answered from it: each action that needed a sign-off, its change in words, who asked, who signed and when.
"""

from __future__ import annotations

import time
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field

from connectors.errors import NotConfigured
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps


class SignOffStatus(StrEnum):
    """Where an action that needed a sign-off stands."""

    waiting = "waiting"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"


class SignOff(BaseModel):
    """One action that needed a sign-off: what it changes, on which machine or order, who asked and who signed."""

    action_id: str
    tool: str
    change: str
    machine_id: str | None = None
    order_id: str | None = None
    requester: str
    status: SignOffStatus
    approvers: list[str] = []
    needed: int = 1
    asked_at: float
    decided_at: float | None = None

    def said(self) -> str:
        """The sign-off as a person reads it."""
        asked = f"asked by {self.requester} at {_clock(self.asked_at)}"
        if self.status is SignOffStatus.waiting:
            have = f", {len(self.approvers)} of {self.needed} signed ({', '.join(self.approvers)})" \
                if self.approvers else f", needs {self.needed} sign-off{'s' * (self.needed > 1)}"
            return f"{self.change}: waiting, {asked}{have}"
        by = f" by {', '.join(self.approvers)}" if self.approvers else ""
        when = f" at {_clock(self.decided_at)}" if self.decided_at else ""
        return f"{self.change}: {self.status}{by}{when}, {asked}"


def _clock(at: float | None) -> str:
    return datetime.fromtimestamp(at or 0).strftime("%H:%M") if at and time.time() - at < 86400 \
        else datetime.fromtimestamp(at or 0).strftime("%Y-%m-%d %H:%M")


class SignOffs(Protocol):
    """The copilot's queue of sign-offs, as tools read it."""

    def waiting(self) -> list[SignOff]:
        """The actions waiting for a sign-off, oldest first."""

    def decided(self, since_s: float) -> list[SignOff]:
        """The actions decided in the last ``since_s`` seconds, newest first."""


class WaitingArgs(ToolArgs):
    """Nothing to choose: every action waiting for sign-off."""


class HistoryArgs(ToolArgs):
    """Whose sign-offs to read: one machine's, one production order's, or all; and how far back."""

    machine_id: str | None = Field(default=None, description="machine id, e.g. OV-201; omit for all")
    order_id: str | None = Field(default=None, description="production order id, e.g. PO-L2-0108; omit for all")
    hours: float | None = Field(default=None, gt=0, le=24 * 31, description="how far back to look; a day if omitted")


def _sign_offs(deps: Deps) -> SignOffs:
    if deps.sign_offs is None:
        raise NotConfigured("this copilot keeps no record of sign-offs here")
    return deps.sign_offs


def _listed(items: list[SignOff], none: str) -> str:
    return "; ".join(s.said() for s in items) if items else none


@tool(args=WaitingArgs, risk=Risk.read, result=list[SignOff], order=75,
      line=lambda items: "waiting for sign-off: " + _listed(items, "nothing"),
      said=lambda items: (f"{len(items)} waiting for sign-off: " if items else "") + _listed(
          items, "nothing is waiting for sign-off"))
async def approvals_waiting(deps: Deps, args: WaitingArgs, call: Call) -> list[SignOff]:
    """The actions waiting for a supervisor's sign-off: each change, who asked, when, and who has signed so far."""
    return _sign_offs(deps).waiting()


@tool(args=HistoryArgs, risk=Risk.read, result=list[SignOff], order=76,
      line=lambda items: "signed off: " + _listed(items, "nothing"),
      said=lambda items: _listed(items, "no change that needed a sign-off in that time"))
async def sign_off_history(deps: Deps, args: HistoryArgs, call: Call) -> list[SignOff]:
    """Changes that needed a sign-off in the last hours, newest first, on one machine or production order or all:
    who asked, who approved or rejected them, and when. Use it for "who signed off ...", "what changed on ..."."""
    if args.machine_id:
        deps.plant.machine(args.machine_id)
    return [s for s in _sign_offs(deps).decided((args.hours or 24) * 3600)
            if args.machine_id in (None, s.machine_id) and args.order_id in (None, s.order_id)]
