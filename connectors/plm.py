"""The PLM connector: products with options and rules, BOMs, routings, recipes, alternates and engineering changes.

    async with PlmClient.from_settings(settings) as plm:  # the ConnectorSettings read at the edge
        housing = await plm.product("HX-200")
        changes = await plm.engineering_changes(product="HX-200")

Read-only. Errors are the typed connector errors (see ``connectors.http_api`` for the mapping).
"""

from __future__ import annotations

from typing import ClassVar

from connectors.http_api import JsonApiClient, segment
from connectors.plant import Plant
from connectors.plm_records import Alternate, EngineeringChange, PlmProduct


class PlmClient(JsonApiClient):
    """The plant's PLM. Reads retry once if the connection fails."""

    system: ClassVar[str] = "PLM"
    url_setting: ClassVar[str] = "plm_url"

    async def products(self) -> list[PlmProduct]:
        return await self._get("/products", list[PlmProduct])

    async def product(self, product_id: str) -> PlmProduct:
        """One product; ``NotFound`` names the products PLM has."""
        return await self._get(f"/products/{segment(product_id, 'product id')}", PlmProduct)

    async def alternates(self, *, material: str | None = None) -> list[Alternate]:
        """The alternate materials engineering allows, optionally only those of ``material``."""
        return await self._get("/alternates", list[Alternate], {"material": material})

    async def engineering_changes(self, *, product: str | None = None) -> list[EngineeringChange]:
        """Engineering changes, optionally of one product, oldest effective date first."""
        return await self._get("/engineering-changes", list[EngineeringChange], {"product": product})


def configurable(plant: Plant, products: list[PlmProduct]) -> Plant:
    """``plant`` with each of its products offering the colours and options PLM defines for it."""
    defined = {p.id: p for p in products}
    offered = [p.model_copy(update={"colours": plm.colours, "options": {o.id: o.name for o in plm.options}})
               if (plm := defined.get(p.id)) else p for p in plant.products]
    return plant.model_copy(update={"products": offered})
