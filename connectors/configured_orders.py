"""The records of a configured production order the MES exchanges: the order created with its configuration and
recipe, the recipe it keeps, and the switch of its line to it (the order started).

Request models forbid unknown fields; answer models ignore fields they do not know (as ``connectors.records``).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, field_validator


class OrderSetpoint(BaseModel):
    """One setpoint of an order's recipe: the value a machine's tag runs at for this order."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    machine_id: str = Field(min_length=1, max_length=40)
    tag: str = Field(min_length=1, max_length=80)
    value: float

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("a recipe value must be a finite number")
        return value

    @property
    def line(self) -> str:
        return f"{self.machine_id}.{self.tag} {self.value:g}"


class ProductionOrderCreate(BaseModel):
    """A new production order of a configuration (a product in a colour with options), queued on its product's
    line just before the planned order ``before`` (at the end when none), with the recipe its setpoints run at."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product: str = Field(min_length=1, max_length=40)
    colour: str = Field(min_length=1, max_length=40)
    options: list[str] = Field(default=[], max_length=10)
    quantity: int = Field(gt=0, le=10_000_000)
    recipe: list[OrderSetpoint] = Field(default=[], max_length=40)
    before: str | None = Field(default=None, min_length=1, max_length=40,
                               description="a planned order of the line this one is queued just before; none: last")
    requested_by: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=500)


class ProductionOrderStart(BaseModel):
    """The switch of a line to a planned order: the order in progress, finished, is closed as done."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    requested_by: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=500)


class OrderRecipe(BaseModel):
    """The recipe an order was created with (empty for an order made without one), in the order it is written."""

    model_config = ConfigDict(extra="ignore")

    order_id: str
    setpoints: list[OrderSetpoint]
