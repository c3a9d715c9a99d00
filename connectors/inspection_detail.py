"""What an automatic inspection adds to an MES inspection record: the material lot, the defects by class and when
on the plant's clock its pictures were taken."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, model_validator

__all__ = ["InspectionDetail"]


class InspectionDetail(BaseModel):
    """The lot the inspected parts were made of, how many of each defect class were found and when the newest
    part was photographed (all optional; the classes, when given, add up to the inspection's defects)."""

    material_lot: str = Field(default="", max_length=40, description="material lot of the parts inspected")
    defects_by_class: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, description="defects found per class, e.g. {\"flash\": 2}; they add up to defects")
    taken_at: float | None = Field(default=None, description="the plant clock's seconds (as the historian counts "
                                   "them) when the newest part inspected was photographed")

    @model_validator(mode="after")
    def _classes_add_up(self) -> InspectionDetail:
        defects = getattr(self, "defects", None)
        if self.defects_by_class and defects is not None and sum(self.defects_by_class.values()) != defects:
            raise ValueError(f"defects by class add up to {sum(self.defects_by_class.values())}, not to the "
                             f"{defects} defects found")
        return self
