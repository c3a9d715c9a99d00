"""The MES's material genealogy: which material lot each machine ran and from when (its loads over a window), the
lots the MES holds with their status (a lot on hold is issued to no machine), and each tool's cycles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

LOT_TAG = "material_lot"  # the PLC text tag that holds the lot a machine runs

class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MaterialLoad(_Answer):
    """A material lot loaded on a machine: the lot and when (the historian's clock, seconds)."""

    machine_id: str
    line_id: str
    lot: str
    loaded_at: float = Field(description="when the lot was loaded, on the historian's clock (seconds)")


class LotStatus(StrEnum):
    """Whether a lot may be issued to a machine: ``available``, or ``on_hold`` until quality releases it."""

    available = "available"
    on_hold = "on_hold"


class LotEventKind(StrEnum):
    """What happened to a lot: put on hold, released, or issued to a machine."""

    hold = "hold"
    release = "release"
    issue = "issue"


class LotEvent(_Answer):
    """A step in a lot's life: put on hold, released or issued to a machine, with who and why."""

    at: datetime
    event: LotEventKind
    by: str
    reason: str = ""
    machine_id: str = ""


class MaterialLotRecord(_Answer):
    """A lot of raw material in the MES: its material, its status, the hold's reason and its history oldest
    first."""

    id: str
    material: str
    status: LotStatus
    reason: str = Field(default="", description="why it is on hold; empty while available")
    history: list[LotEvent] = []

    @property
    def on_hold(self) -> bool:
        return self.status is LotStatus.on_hold

    def line(self) -> str:
        held = f"on hold ({self.reason})" if self.on_hold else "available"
        return f"material lot {self.id} ({self.material}): {held}"


class LotHold(_Request):
    """Put a lot on hold: why, and who asks."""

    reason: str = Field(min_length=3, max_length=500)
    requested_by: str = Field(min_length=1, max_length=80)


class LotRelease(_Request):
    """Release a held lot: why it may be used again, and who asks."""

    reason: str = Field(min_length=3, max_length=500)
    requested_by: str = Field(min_length=1, max_length=80)


class LotIssue(_Request):
    """Issue a lot to a machine (it is loaded there next): the machine, and who asks."""

    machine_id: str = Field(min_length=1)
    requested_by: str = Field(min_length=1, max_length=80)


class ToolLife(_Answer):
    """A machine's tool from the MES's maintenance records: its cycles since it was last changed against its
    rated life."""

    machine_id: str
    line_id: str
    tool: str
    cycles: int = Field(description="cycles since the tool was last changed")
    rated_cycles: int

    @property
    def used(self) -> float:
        """Its cycles as a share of its rated life (1.0: at its rated life)."""
        return self.cycles / self.rated_cycles
