"""What an in-line camera serves: its stations, the shots it took (with the simulator's ground truth) and the
defect classes of what it inspects. The simulator's camera service and ``connectors.camera`` share these."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["STANDARD_ROWS", "DefectClass", "Shot", "StationInfo", "Subject"]

STANDARD_ROWS = 14  # a fabric camera's image: the standard's patch in its top rows, a dark gap of two, the fabric


class DefectClass(StrEnum):
    """What a camera's image shows: a good piece, or one of the defects of what it inspects (a moulded housing:
    flash, short shot, burn mark; dyed fabric: off shade, uneven)."""

    ok = "ok"
    flash = "flash"  # thin fins of plastic past the parting line: barrel too hot, pressure too high
    short_shot = "short_shot"  # the mould not filled: barrel too cold, pressure too low
    burn_mark = "burn_mark"  # dark streaks: much too hot, or a material lot that is off
    off_shade = "off_shade"  # the fabric's shade away from the standard's: liquor off its recipe, a bad dye lot
    uneven = "uneven"  # streaks across the fabric (listing): the liquor heated too fast

    @property
    def is_defect(self) -> bool:
        return self is not DefectClass.ok


class Subject(StrEnum):
    """What a camera station inspects, and so which classes its images can show."""

    housing = "housing"
    fabric = "fabric"

    @property
    def classes(self) -> list[DefectClass]:
        if self is Subject.housing:
            return [DefectClass.ok, DefectClass.flash, DefectClass.short_shot, DefectClass.burn_mark]
        return [DefectClass.ok, DefectClass.off_shade, DefectClass.uneven]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StationInfo(_Answer):
    """A camera station: where it is and how many shots it keeps."""

    id: str
    name: str
    line_id: str
    machine_id: str = Field(description="the machine whose parts it photographs")
    subject: Subject = Field(description="what it inspects")
    every_s: float
    last_seq: int = Field(description="sequence number of its newest shot; 0 before the first")


class Shot(_Answer):
    """One image a station took, with what the machine was doing and, from the simulator, the true class."""

    id: str = Field(description="inspection id, e.g. CAM-L1-000042")
    seq: int = Field(gt=0, description="the station's running number of the shot")
    station: str
    machine_id: str
    line_id: str
    material_lot: str
    sim_time: float = Field(description="simulated seconds since the plant started or was reset")
    label: DefectClass = Field(description="ground truth: what the renderer drew")
