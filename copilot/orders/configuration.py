"""A configuration against its product's engineering data, by code: its choices, the option rules, the bill of
materials at a build date (engineering changes applied) and the recipe against the plant's limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from connectors.plant import Plant
from connectors.plm_records import EngineeringChange, PlmProduct
from copilot.orders.result import RecipeSetpoint, RuleBreach


class ConfigurationError(ValueError):
    """A request the check cannot take (an unknown colour or option, no quantity, a due date past); one line."""


@dataclass(frozen=True)
class MaterialNeed:
    """How much of a material one unit of a configuration takes, and the engineering change that set it, if any."""

    material: str
    qty_per_unit: float
    engineering_change: str | None = None


def features_of(product: PlmProduct, colour: str, options: list[str]) -> frozenset[str]:
    """The configuration's features (its colour and options), each checked to be the product's own."""
    if colour not in product.colours:
        raise ConfigurationError(f"{product.id} comes in {', '.join(product.colours)}, not {colour!r}")
    unknown = [o for o in options if o not in product.option_ids]
    if unknown:
        offered = ", ".join(product.option_ids) or "none"
        raise ConfigurationError(f"{product.id} has no option {unknown[0]!r}; its options are: {offered}")
    return frozenset([colour, *options])


def broken_rules(product: PlmProduct, features: frozenset[str]) -> tuple[RuleBreach, ...]:
    """The product's option rules the configuration breaks, in the product's order."""
    return tuple(RuleBreach(rule=r.id, option=r.option, kind=r.kind, others=tuple(r.others), reason=r.reason)
                 for r in product.rules if r.broken_by(features))


def explode_bom(product: PlmProduct, changes: list[EngineeringChange], features: frozenset[str],
                build_date: date) -> list[MaterialNeed]:
    """The materials one unit of the configuration takes when built on ``build_date``: the BOM lines that apply,
    with every engineering change of the product effective on or before that date applied in date order."""
    needs = [MaterialNeed(b.material, b.qty_per_unit) for b in product.bom if b.applies(features)]
    for change in sorted((c for c in changes if c.product == product.id and c.effective <= build_date),
                         key=lambda c: c.effective):
        needs = [_changed(need, change) for need in needs]
    merged: dict[str, MaterialNeed] = {}
    for need in (n for n in needs if n is not None):
        seen = merged.get(need.material)
        merged[need.material] = need if seen is None else MaterialNeed(
            need.material, seen.qty_per_unit + need.qty_per_unit, seen.engineering_change or need.engineering_change)
    return list(merged.values())


def _changed(need: MaterialNeed | None, change: EngineeringChange) -> MaterialNeed | None:
    if need is None or need.material != change.material:
        return need
    if change.becomes is None:
        return None
    return MaterialNeed(change.becomes, change.qty_per_unit or need.qty_per_unit, change.id)


def recipe_of(product: PlmProduct, features: frozenset[str], plant: Plant) -> tuple[RecipeSetpoint, ...]:
    """The setpoints the configuration runs at (later recipes overriding earlier ones), each with its tag's limits."""
    values: dict[tuple[str, str], float] = {}
    for recipe in product.recipes:
        if features.issuperset(recipe.when):
            values |= {(recipe.machine, tag): value for tag, value in recipe.setpoints.items()}
    setpoints = []
    for (machine_id, tag_name), value in values.items():
        tag = plant.tag(machine_id, tag_name)
        setpoints.append(RecipeSetpoint(machine_id, tag_name, value, tag.unit, tag.min, tag.max))
    return tuple(setpoints)
