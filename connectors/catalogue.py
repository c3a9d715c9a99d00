"""What a plant buys and makes, as its plant file lists them: spare parts with their suppliers' offers, products in
their variants, and the production orders the MES starts with."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MachineTool", "MaterialLot", "Offer", "Part", "Product", "ProductionOrder", "Supplier", "Variant"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # a NaN limit checks nothing


class Supplier(_Strict):
    """A supplier of spare parts."""

    id: str
    name: str
    country: str


class Offer(_Strict):
    """A supplier's standing offer for a part: unit price, lead time and carbon per unit."""

    supplier: str
    price: float = Field(gt=0)
    lead_time_days: int = Field(ge=0)
    carbon_kg: float = Field(ge=0)


class Part(_Strict):
    """A spare part: its stock, reorder rule and the suppliers' offers."""

    id: str
    name: str
    unit: str
    stock: int = Field(ge=0)
    reorder_point: int = Field(ge=0)
    reorder_qty: int = Field(gt=0)
    offers: list[Offer]


class Variant(_Strict):
    """One variant of a product: its colour and options."""

    id: str
    colour: str
    options: list[str] = []


class Product(_Strict):
    """A product made on one line, in one or more variants; a customer may order it in any colour and with any
    options it offers, its variants' and the configurable ones PLM defines (``colours``, ``options``)."""

    id: str
    name: str
    line: str
    variants: list[Variant]
    colours: list[str] = []
    """Colours a customer may configure beyond the variants' own."""
    options: dict[str, str] = {}
    """Options a customer may configure beyond the variants' own: their ids and the names people know them by."""

    @property
    def offered_colours(self) -> list[str]:
        """Every colour the product comes in: its variants', then the configurable ones."""
        return list(dict.fromkeys([*(v.colour for v in self.variants), *self.colours]))

    @property
    def offered_options(self) -> list[str]:
        """Every option the product offers: its variants', then the configurable ones."""
        return list(dict.fromkeys([*(o for v in self.variants for o in v.options), *self.options]))


class ProductionOrder(_Strict):
    """A production order the plant file seeds the MES with."""

    id: str
    line: str
    product: str
    variant: str
    quantity: int = Field(gt=0)
    produced: int = Field(ge=0)
    status: Literal["planned", "in_progress", "done", "cancelled"]
    due: date | None = None
    """The day the order is due (none: no due date); the sequencer moves no order past it."""


class MaterialLot(_Strict):
    """A lot of raw material the MES starts with: its id and the material it is (lots of one material can stand in
    for each other)."""

    id: str = Field(min_length=1, max_length=32)
    material: str = Field(min_length=1, max_length=80)


class MachineTool(_Strict):
    """The tool a machine forms its parts with (a mould, a die, a nozzle) and its rated life in cycles; ``per_unit``
    is the cycles one unit of its ``good_count`` takes (a two-cavity mould: 0.5)."""

    name: str = Field(min_length=1, max_length=80)
    rated_cycles: int = Field(gt=0)
    per_unit: float = Field(default=1.0, gt=0)
