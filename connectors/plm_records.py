"""What PLM holds about the products a plant makes: options and the rules between them, bills of materials per
configuration, routings, recipes, alternate materials and engineering changes.

Pure pydantic models: the PLM file (``plm.yaml`` beside the plant file) is read into them, the simulator's PLM
service answers with them and the PLM connector parses its answers into them, so all three agree by construction.
A configuration's *features* are its colour and its options; rules, BOM lines and recipes name features.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat

__all__ = ["Alternate", "BomItem", "EngineeringChange", "Option", "OptionRule", "PlmCatalogue", "PlmProduct",
           "Recipe", "Routing", "RuleKind"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RuleKind(StrEnum):
    """How an option relates to other features: it needs one of them, or it cannot go with any of them."""

    requires = "requires"
    excludes = "excludes"


class Option(_Record):
    """An option a customer may choose for a product."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)


class OptionRule(_Record):
    """A rule between an option and other features (options or colours), with the reason engineers gave."""

    id: str = Field(min_length=1)
    kind: RuleKind
    option: str = Field(min_length=1)
    others: list[str] = Field(min_length=1)
    reason: str = Field(min_length=1)

    def broken_by(self, features: frozenset[str]) -> bool:
        """Whether a configuration with these features breaks the rule (a rule binds only when its option is in)."""
        if self.option not in features:
            return False
        if self.kind is RuleKind.requires:
            return not features.intersection(self.others)
        return bool(features.intersection(self.others))


class BomItem(_Record):
    """A line of a product's bill of materials: a material and how much of it one unit takes, when the
    configuration has every feature of ``when`` (empty: always) and none of ``unless``."""

    material: str = Field(min_length=1)
    qty_per_unit: float = Field(gt=0)
    when: list[str] = []
    unless: list[str] = []

    def applies(self, features: frozenset[str]) -> bool:
        return features.issuperset(self.when) and not features.intersection(self.unless)


class Routing(_Record):
    """Where and how fast a product is made: its line, the machine that paces it, the cycle time (the longest of
    the options' own where they slow it), units per cycle, the line's working hours a day, and changeover times."""

    line: str = Field(min_length=1)
    machine: str = Field(min_length=1)
    cycle_s: float = Field(gt=0)
    option_cycle_s: dict[str, PositiveFloat] = Field(
        default={}, description="an option's own cycle time in seconds where it slows the base cycle_s")
    units_per_cycle: int = Field(default=1, gt=0)
    hours_per_day: float = Field(gt=0, le=24)
    colour_change_min: float = Field(ge=0, description="changeover between orders of different colours")
    option_change_min: float = Field(ge=0, description="changeover between orders of the same colour, other options")
    colour_changes: dict[str, dict[str, NonNegativeFloat]] = Field(
        default={}, description="the changeover matrix: minutes from a colour to another (light to dark is quick, "
                                "dark to light needs a purge); a pair it does not name takes colour_change_min")
    tooling: dict[str, str] = Field(default={}, description="the tool an option needs on the machine")
    tooling_change_min: float = Field(default=0, ge=0, description="changeover between orders on different tools")

    def changeover_min(self, before: tuple[str, frozenset[str]], after: tuple[str, frozenset[str]]) -> float:
        """Minutes from a run (colour, features) to the next: its colour change from the matrix plus a tool
        change; with neither, an option change when the features differ, else none."""
        (colour, features), (next_colour, next_features) = before, after
        minutes = 0.0
        if colour != next_colour:
            minutes += self.colour_changes.get(colour, {}).get(next_colour, self.colour_change_min)
        if self.tools(features) != self.tools(next_features):
            minutes += self.tooling_change_min
        if minutes == 0 and features != next_features:
            return self.option_change_min
        return minutes

    def tools(self, features: frozenset[str]) -> frozenset[str]:
        """The tools a configuration needs (none: the standard tooling)."""
        return frozenset(tool for option, tool in self.tooling.items() if option in features)

    def cycle_for(self, features: frozenset[str]) -> float:
        """The cycle time of a configuration: the slowest of the base and its options' own."""
        return max([self.cycle_s, *(s for option, s in self.option_cycle_s.items() if option in features)])

    def units_per_hour(self, features: frozenset[str]) -> float:
        return self.units_per_cycle * 3600.0 / self.cycle_for(features)


class Recipe(_Record):
    """Setpoints a machine runs at for configurations with every feature of ``when`` (empty: the base recipe).
    Recipes apply in their order, a later one overriding an earlier one's setpoint."""

    machine: str = Field(min_length=1)
    when: list[str] = []
    setpoints: dict[str, float] = Field(min_length=1)


class PlmProduct(_Record):
    """A product as engineering defines it: colours, options, rules, bill of materials, routing, recipes."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    unit: str = Field(default="pcs", min_length=1)
    colours: list[str] = Field(min_length=1)
    options: list[Option] = []
    rules: list[OptionRule] = []
    bom: list[BomItem] = Field(min_length=1)
    routing: Routing
    recipes: list[Recipe] = []

    @property
    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]


class Alternate(_Record):
    """A material engineering allows in place of another: ``ratio`` of it per unit of the original, never in a
    configuration with any feature of ``not_with``."""

    material: str = Field(min_length=1)
    alternate: str = Field(min_length=1)
    ratio: float = Field(default=1.0, gt=0)
    not_with: list[str] = []
    note: str = ""

    def allowed(self, features: frozenset[str]) -> bool:
        return not features.intersection(self.not_with)


class EngineeringChange(_Record):
    """A change to a product's bill of materials from a date on: ``material`` is replaced by ``becomes`` (removed
    when none), at ``qty_per_unit`` where given, else at its quantity."""

    id: str = Field(min_length=1)
    product: str = Field(min_length=1)
    effective: date
    description: str = Field(min_length=1)
    material: str = Field(min_length=1)
    becomes: str | None = None
    qty_per_unit: float | None = Field(default=None, gt=0)


class PlmCatalogue(_Record):
    """Everything PLM holds for one plant: the PLM file, and the PLM service's data."""

    products: list[PlmProduct]
    alternates: list[Alternate] = []
    engineering_changes: list[EngineeringChange] = []
