"""What the policy engine judges and what it answers: an action in its context, and a decision."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Risk(StrEnum):
    read = "read"
    write = "write"
    critical = "critical"


class Role(StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    engineer = "engineer"
    admin = "admin"


class ActionContext(BaseModel):
    """A proposed tool call with the facts gathered about it: who asks, what it touches, what it changes."""

    model_config = ConfigDict(frozen=True)

    tool: str
    risk: Risk
    arguments: dict[str, Any] = {}
    requester: str
    role: Role
    machine_id: str | None = None
    line_id: str | None = None
    machine_state: str | None = None
    tag: str | None = None
    tag_writable: bool | None = None
    tag_min: float | None = None
    tag_max: float | None = None
    tag_max_step: float | None = None
    old_value: float | None = None
    new_value: float | None = None
    amount: float | None = None
    quantity: float | None = None
    extra: dict[str, Any] = {}

    @property
    def is_plc_write(self) -> bool:
        return self.tag is not None and self.risk is not Risk.read

    @property
    def step(self) -> float | None:
        if self.old_value is None or self.new_value is None:
            return None
        return abs(self.new_value - self.old_value)

    @property
    def step_share_of_max(self) -> float | None:
        """The step as a share of the tag's maximum step per write (1.0 = the largest step allowed)."""
        if self.step is None or not self.tag_max_step:
            return None
        return self.step / self.tag_max_step


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    reasons: list[str] = []


class Allow(_Decision):
    kind: Literal["allow"] = "allow"

    def summary(self) -> str:
        return "allowed" + (f": {'; '.join(self.reasons)}" if self.reasons else "")


class RequireApproval(_Decision):
    kind: Literal["require_approval"] = "require_approval"
    roles: list[Role] = Field(min_length=1)
    approvers: int = Field(ge=1, le=5)

    def summary(self) -> str:
        who = " or ".join(self.roles)
        return f"needs {self.approvers} approval(s) by {who}: {'; '.join(self.reasons)}"


class Deny(_Decision):
    kind: Literal["deny"] = "deny"

    def summary(self) -> str:
        return f"denied: {'; '.join(self.reasons)}"


Decision = Annotated[Allow | RequireApproval | Deny, Field(discriminator="kind")]
