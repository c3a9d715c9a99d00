"""The MES's material genealogy: which material lot each machine ran, and from when (its loads over a window)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MaterialLoad(BaseModel):
    """A material lot loaded on a machine: the lot and when (the historian's clock, seconds)."""

    model_config = ConfigDict(extra="ignore")

    machine_id: str
    line_id: str
    lot: str
    loaded_at: float = Field(description="when the lot was loaded, on the historian's clock (seconds)")
