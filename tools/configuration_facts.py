"""configuration_facts: what a configure-to-order check reads about one product — its engineering data from PLM,
the orders open in the MES, and each material it may take (stock, offers, open purchase orders) from the ERP.

Every material any configuration of the product may take is read (its BOM lines, the engineering changes' new
materials and their alternates), so the check (copilot/orders) decides by code with nothing more to read.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field

from connectors.erp import ErpClient
from connectors.errors import NotConfigured, NotFound
from connectors.mes import MesClient
from connectors.plm import PlmClient
from connectors.plm_records import Alternate, EngineeringChange, PlmProduct
from connectors.records import (
    FINAL_PRODUCTION_ORDER_STATUSES,
    ProductionOrderRecord,
    ProductRecord,
    PurchaseOrder,
    PurchaseOrderStatus,
    SparePart,
)
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class ConfigurationFactsArgs(ToolArgs):
    """The product whose buildability facts to read."""

    product: str = Field(min_length=1, max_length=40, description="product id, e.g. HX-200")


class ConfigurationFacts(BaseModel):
    """One product's engineering data, every product PLM knows (the queued orders' routings), the MES's open orders
    and products, and the ERP's record and open purchase orders of each material the product may take."""

    today: date
    product: PlmProduct
    products: list[PlmProduct]
    engineering_changes: list[EngineeringChange]
    alternates: list[Alternate]
    orders: list[ProductionOrderRecord] = Field(description="production orders not done or cancelled")
    mes_products: list[ProductRecord]
    materials: list[SparePart]
    purchase_orders: list[PurchaseOrder] = Field(description="open purchase orders of those materials")


def _line(facts: ConfigurationFacts) -> str:
    product = facts.product
    return (f"{product.id}: {len(product.bom)} BOM lines, {len(facts.materials)} materials read, "
            f"{sum(o.line == product.routing.line for o in facts.orders)} orders open on {product.routing.line}")


async def read_facts(plm: PlmClient, erp: ErpClient, mes: MesClient, product_id: str,
                     today: date) -> ConfigurationFacts:
    """Read the facts of ``product_id``; NotFound names the products PLM has."""
    products, changes, alternates = await asyncio.gather(plm.products(), plm.engineering_changes(), plm.alternates())
    product = next((p for p in products if p.id == product_id.strip().upper()), None)
    if product is None:
        raise NotFound(f"PLM knows no product {product_id!r}; it has: {', '.join(p.id for p in products) or 'none'}")
    own = [c for c in changes if c.product == product.id]
    wanted = list(dict.fromkeys([*(b.material for b in product.bom), *(c.becomes for c in own if c.becomes)]))
    alternates = [a for a in alternates if a.material in wanted]
    wanted += [a.alternate for a in alternates if a.alternate not in wanted]
    orders, mes_products, materials, purchases = await asyncio.gather(
        mes.list_production_orders(), mes.products(), asyncio.gather(*(erp.get_part(m) for m in wanted)),
        erp.list_purchase_orders(status=PurchaseOrderStatus.ordered))
    return ConfigurationFacts(
        today=today, product=product, products=products, engineering_changes=own, alternates=alternates,
        orders=[o for o in orders if o.status not in FINAL_PRODUCTION_ORDER_STATUSES], mes_products=mes_products,
        materials=list(materials), purchase_orders=[p for p in purchases if p.part in wanted])


@tool(args=ConfigurationFactsArgs, risk=Risk.read, result=ConfigurationFacts, line=_line, order=75,
      systems=(System.plm, System.erp, System.mes))
async def configuration_facts(deps: Deps, args: ConfigurationFactsArgs, call: Call):
    """Read what a configure-to-order check needs about a product: its options, rules, BOM, routing and recipes
    (PLM), the orders open on its line (MES), and its materials' stock, offers and open purchase orders (ERP)."""
    if deps.plm is None:
        raise NotConfigured("this plant has no PLM: set PLANT_PLM_URL")
    return await read_facts(deps.plm, deps.erp, deps.mes, args.product, datetime.now(UTC).date())
