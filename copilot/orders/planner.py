"""The planner's face of configure to order: PLM's products to choose from, a configuration checked against the
plant's systems (the same facts and code as the configure_order_check procedure), and a line's queue sequenced.
Reads only; every change goes through the copilot's gate."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors.erp import ErpClient
from connectors.mes import MesClient
from connectors.plm import PlmClient
from connectors.plm_records import PlmProduct
from connectors.settings import ConnectorSettings
from copilot.orders.check import check_configuration
from copilot.orders.queue import line_orders, line_product
from copilot.orders.result import ConfigurationCheck, OrderRequest
from copilot.orders.sequence import LineSequence, sequence_line
from tools.configuration_facts import read_facts
from tools.line_queue import read_queue


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


async def plm_products(connectors: ConnectorSettings) -> list[PlmProduct]:
    """The products PLM knows, with their colours, options and rules."""
    async with PlmClient.from_settings(connectors) as plm:
        return await plm.products()


async def check_order(connectors: ConnectorSettings, request: OrderRequest,
                      today: date | None = None) -> ConfigurationCheck:
    """A configuration checked by code (copilot/orders/check.py) on what PLM, the ERP and the MES say now;
    ConfigurationError (one line) for a request the product cannot take, connector errors for a system down."""
    async with PlmClient.from_settings(connectors) as plm, ErpClient.from_settings(connectors) as erp, \
            MesClient.from_settings(connectors) as mes:
        facts = await read_facts(plm, erp, mes, request.product, _today(today))
    return check_configuration(request, facts, connectors.load_plant())


async def sequenced_line(connectors: ConnectorSettings, line_id: str, today: date | None = None) -> LineSequence:
    """A line's open orders sequenced to cut changeover within their due dates (copilot/orders/sequence.py)."""
    async with PlmClient.from_settings(connectors) as plm, MesClient.from_settings(connectors) as mes:
        queue = await read_queue(plm, mes, line_id, _today(today))
    product = line_product(queue.line_id, queue.products)
    orders = line_orders(queue.orders, queue.line_id, queue.products, queue.mes_products, product)
    return sequence_line(queue.line_id, product.routing, orders, queue.today)
