"""The PLM file (``plm.yaml`` beside the plant file): read, validated, and checked against the plant it belongs to.

Every name must be one the plant knows: products of the plant file on their line, machines and tags of that line,
materials the ERP buys (the plant file's parts), features (colours and options) of the product. A recipe's values
are not held to the tags' limits here: a recipe beyond a limit is refused when an order asks for it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from connectors.plant import Plant
from connectors.plm_records import PlmCatalogue, PlmProduct
from connectors.site import config_data, first_problems

__all__ = ["PlmFileError", "load_plm"]


class PlmFileError(ValueError):
    """The PLM file cannot be read, or names what its plant does not have; the message names the file and why."""


def load_plm(path: str | Path, plant: Plant) -> PlmCatalogue:
    """Read and validate a PLM file against ``plant``; PlmFileError names the file and the first problems."""
    raw = config_data(path, "PLM file", PlmFileError)
    try:
        catalogue = PlmCatalogue.model_validate(raw)
    except ValidationError as exc:
        problems = first_problems([f"{'.'.join(map(str, e['loc'])) or 'top level'}: {e['msg']}" for e in exc.errors()])
        raise PlmFileError(f"PLM file {path}: {problems}") from None
    if problems := plm_problems(catalogue, plant):
        raise PlmFileError(f"PLM file {path}: {first_problems(problems)}")
    return catalogue


def plm_problems(catalogue: PlmCatalogue, plant: Plant) -> list[str]:
    """Each name of the catalogue its plant does not know, as one line; empty when it fits the plant."""
    materials = {p.id for p in plant.parts}
    products = {p.id: p for p in catalogue.products}
    problems = [problem for product in catalogue.products for problem in _product_problems(product, plant, materials)]
    for a in catalogue.alternates:
        problems += [f"alternate of {m}: unknown material {m}" for m in (a.material, a.alternate) if m not in materials]
    for change in catalogue.engineering_changes:
        if change.product not in products:
            problems.append(f"engineering change {change.id}: unknown product {change.product}")
        problems += [f"engineering change {change.id}: unknown material {m}"
                     for m in (change.material, change.becomes) if m is not None and m not in materials]
    return problems


def _product_problems(product: PlmProduct, plant: Plant, materials: set[str]) -> list[str]:
    """What one product names that the plant or the product itself does not have."""
    made = next((p for p in plant.products if p.id == product.id), None)
    if made is None:
        return [f"product {product.id} is not a product of the plant file"]
    where = f"product {product.id}"
    problems = []
    if product.routing.line != made.line:
        problems.append(f"{where}: its routing is on line {product.routing.line}, the plant makes it on {made.line}")
    line_machines = {m.id: m for m in plant.line(made.line).machines}
    colours, options = set(product.colours), set(product.option_ids)
    if colours & options:
        problems.append(f"{where}: {', '.join(sorted(colours & options))} is both a colour and an option")
    features = colours | options
    named = [*(f for r in product.rules for f in (r.option, *r.others)),
             *(f for b in product.bom for f in (*b.when, *b.unless)),
             *(f for r in product.recipes for f in r.when), *product.routing.tooling,
             *(c for a, row in product.routing.colour_changes.items() for c in (a, *row))]
    problems += [f"{where}: unknown colour or option {f}" for f in dict.fromkeys(named) if f not in features]
    problems += [f"{where}: routing.option_cycle_s names {f}, which is not one of its options"
                 for f in product.routing.option_cycle_s if f not in options]
    problems += [f"{where}: BOM names unknown material {b.material}"
                 for b in product.bom if b.material not in materials]
    for machine_id in dict.fromkeys([product.routing.machine, *(r.machine for r in product.recipes)]):
        if machine_id not in line_machines:
            problems.append(f"{where}: machine {machine_id} is not on line {made.line}")
    for recipe in product.recipes:
        machine = line_machines.get(recipe.machine)
        problems += [f"{where}: recipe sets {recipe.machine}.{tag}, which is not one of its setpoints"
                     for tag in recipe.setpoints
                     if machine is not None and (tag not in machine.tags or not machine.tags[tag].is_setpoint)]
    return problems
