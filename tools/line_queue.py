"""line_queue: what sequencing a line reads — the orders open on it in the MES (variant, quantity left, due date,
in progress or queued) and PLM's products with their routings (rates and the changeover matrix).

The sequence itself is decided by code (copilot/orders/sequence.py) from these facts, nothing more to read: the
procedure line_queue_sequence runs both, so the free loop is not given the facts alone.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from pydantic import BaseModel, Field

from connectors.errors import NotConfigured
from connectors.mes import MesClient
from connectors.plm import PlmClient
from connectors.plm_records import PlmProduct
from connectors.records import FINAL_PRODUCTION_ORDER_STATUSES, ProductionOrderRecord, ProductRecord
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System


class LineQueueArgs(ToolArgs):
    """The line whose queue to sequence."""

    line_id: str = Field(min_length=1, max_length=20, description="line id, e.g. L1")


class LineQueue(BaseModel):
    """A line's open production orders (in the MES's order, first come first), the MES's products (the variants'
    colours and options) and PLM's products (routings with their changeover matrix)."""

    today: date
    line_id: str
    orders: list[ProductionOrderRecord] = Field(description="the line's production orders not done or cancelled")
    mes_products: list[ProductRecord]
    products: list[PlmProduct]


def _line(queue: LineQueue) -> str:
    return (f"line {queue.line_id}: {len(queue.orders)} open orders ({', '.join(o.id for o in queue.orders)}), "
            f"{sum(p.routing.line == queue.line_id for p in queue.products)} PLM products made on it")


async def read_queue(plm: PlmClient, mes: MesClient, line_id: str, today: date) -> LineQueue:
    """Read the queue of ``line_id``; NotFound (from the MES) names the lines the plant has."""
    line = line_id.strip().upper()
    orders, mes_products, products = await asyncio.gather(mes.list_production_orders(line=line), mes.products(),
                                                          plm.products())
    return LineQueue(today=today, line_id=line, mes_products=mes_products, products=products,
                     orders=[o for o in orders if o.status not in FINAL_PRODUCTION_ORDER_STATUSES])


@tool(args=LineQueueArgs, risk=Risk.read, result=LineQueue, line=_line, order=76, in_free_loop=False,
      systems=(System.plm, System.mes))
async def line_queue(deps: Deps, args: LineQueueArgs, call: Call):
    """Read what sequencing a line needs: its open production orders with their variants, quantities left and due
    dates (MES), and the routings with the changeover matrix between colours and tools (PLM)."""
    if deps.plm is None:
        raise NotConfigured("this plant has no PLM: set PLANT_PLM_URL")
    return await read_queue(deps.plm, deps.mes, args.line_id, datetime.now(UTC).date())
