"""The simulated plant's PLM: products with their options and rules, bills of materials, routings, recipes,
alternate materials and engineering changes, read-only over HTTP.

A FastAPI app over the PLM file (``plm.yaml`` beside the plant file), validated against the plant when the
simulator starts; a site without a PLM file gets a PLM that knows no product. Engineering owns this data: the
copilot only reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query

from connectors.errors import NotFound
from connectors.plant import Plant
from connectors.plm_file import load_plm
from connectors.plm_records import Alternate, EngineeringChange, PlmCatalogue, PlmProduct
from simulator.faults import FaultBoard, FaultKind
from simulator.http_common import api_router, canonical_id, service_app

__all__ = ["DESCRIPTION", "TAGS", "create_plm_app", "plm_catalogue"]

DESCRIPTION = """The plant's PLM as the copilot sees it: each product's colours and options with the rules
between them (requires / excludes), its bill of materials by configuration, its routing (line, pacing machine,
cycle time, changeovers: the matrix from colour to colour and the tooling each option needs), its recipes (the
setpoints each configuration runs at, on which machine), the alternate materials engineering allows, and
engineering changes with the date they take effect. Read-only.
Errors answer `{"detail": "..."}`: 404 for an unknown product, 422 for an invalid request."""

TAGS = [
    {"name": "products", "description": "Products with options, rules, BOM, routing and recipes."},
    {"name": "alternates", "description": "Materials allowed in place of others, and their constraints."},
    {"name": "engineering changes", "description": "BOM changes and the dates they take effect."},
]


def plm_catalogue(plm_file: Path, plant: Plant) -> PlmCatalogue:
    """The PLM file's catalogue, checked against ``plant``; an empty one when the site has no PLM file."""
    if not plm_file.exists():
        return PlmCatalogue(products=[])
    return load_plm(plm_file, plant)


def create_plm_app(catalogue: PlmCatalogue, faults: FaultBoard) -> FastAPI:
    """The PLM service over ``catalogue``."""
    app = service_app(system="PLM", title="PLM (simulated plant)", description=DESCRIPTION, tags=TAGS,
                      faults=faults, fault=FaultKind.plm_error)
    app.include_router(_router(catalogue))
    return app


def _router(catalogue: PlmCatalogue) -> APIRouter:
    api = api_router()
    products = {p.id: p for p in catalogue.products}

    @api.get("/products", tags=["products"], summary="Every product with its options, rules, BOM, routing, recipes")
    def list_products() -> list[PlmProduct]:
        return catalogue.products

    @api.get("/products/{product_id}", tags=["products"], summary="One product")
    def get_product(product_id: str) -> PlmProduct:
        found = products.get(canonical_id(product_id))
        if found is None:
            raise NotFound(f"unknown product {product_id!r}; PLM has: {', '.join(products) or 'none'}")
        return found

    @api.get("/alternates", tags=["alternates"], summary="Alternate materials, optionally of one material")
    def list_alternates(
        material: Annotated[str | None, Query(description="only the alternates of this material")] = None,
    ) -> list[Alternate]:
        wanted = canonical_id(material) if material else None
        return [a for a in catalogue.alternates if wanted is None or a.material == wanted]

    @api.get("/engineering-changes", tags=["engineering changes"],
             summary="Engineering changes, optionally of one product, oldest effective date first")
    def list_engineering_changes(
        product: Annotated[str | None, Query(description="only this product's changes")] = None,
    ) -> list[EngineeringChange]:
        wanted = canonical_id(product) if product else None
        changes = [c for c in catalogue.engineering_changes if wanted is None or c.product == wanted]
        return sorted(changes, key=lambda c: c.effective)

    return api
