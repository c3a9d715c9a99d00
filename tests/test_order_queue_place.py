"""An accepted order goes where the line's sequencer places it among the queued orders, not at the queue's end
(issue #28): the proposal says the place and the changeover, and the MES keeps that order of the queue.

By hand, riverside line L1 (plm.yaml's changeover matrix): PO-L1-0042 grey in progress, PO-L1-0043 blue with UV
queued. 600 green housings last: grey to blue 25 min, blue to green 45 min, 70 min; after PO-L1-0042: grey to
green 20 min, green to blue 20 min, 40 min. Dyehouse line D1: PO-D1-0311 navy in progress, PO-D1-0312 olive and
PO-D1-0313 JS-180 coral queued (coral is not in the matrix: 90 min to or from it). 400 kg black last: navy to olive
100, olive to coral 90, coral to black 90, 280 min; after PO-D1-0312: navy to olive 100, olive to black 40, black to
coral 90, 230 min.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from connectors.configured_orders import ProductionOrderCreate
from connectors.erp import ErpClient
from connectors.errors import Rejected
from connectors.mes import MesClient
from connectors.plm import PlmClient
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.orders import OrderRequest, accept, check_configuration
from copilot.orders.result import ConfigurationCheck
from copilot.procedures.acceptance import changeover
from simulator.process import running_simulator
from tools.configuration_facts import read_facts

MONDAY, FRIDAY = date(2026, 12, 7), date(2026, 12, 11)


@pytest.fixture(scope="module")
def dyehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own serving the dyehouse, its clock frozen."""
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim


async def checked(settings: ConnectorSettings, product: str, colour: str, quantity: int) -> ConfigurationCheck:
    async with PlmClient.from_settings(settings) as plm, ErpClient.from_settings(settings) as erp, \
            MesClient.from_settings(settings) as mes:
        facts = await read_facts(plm, erp, mes, product, MONDAY)
    return check_configuration(OrderRequest(product, colour, (), quantity, FRIDAY), facts, settings.load_plant())


async def placed(settings: ConnectorSettings, check: ConfigurationCheck, line: str) -> list[ProductionOrderRecord]:
    """The order created in the MES at the check's place; the line's open orders as the MES lists them."""
    async with MesClient.from_settings(settings) as mes:
        await mes.create_production_order(ProductionOrderCreate(
            product=check.request.product, colour=check.request.colour, quantity=check.request.quantity,
            before=check.place.before, requested_by="olga"), idempotency_key=uuid.uuid4().hex)
        return [o for o in await mes.list_production_orders(line=line) if o.status is not ProductionOrderStatus.done]


async def test_green_housings_go_ahead_of_the_blue_run_and_the_mes_keeps_that_queue(sim) -> None:
    check = await checked(sim, "HX-200", "green", 600)
    proposal = accept(check, {}, sim.load_plant())
    assert (check.place.position, check.place.of, check.place.after, check.place.before) == (
        1, 2, "PO-L1-0042", "PO-L1-0043")
    assert "queued 1st of 2 on L1, after PO-L1-0042, changeover 40 min instead of 70 min at the queue's end" \
        in proposal.line
    orders = await placed(sim, check, "L1")
    assert [(o.id, o.queue_position) for o in orders] == [("PO-L1-0042", None), ("PO-L1-0044", 1),
                                                          ("PO-L1-0043", 2)]
    finished = orders[0].model_copy(update={"remaining": 0})
    assert changeover([finished, *orders[1:]], "L1").value == {"order_id": "PO-L1-0044"}


async def test_black_dyeing_goes_between_the_olive_and_the_coral(dyehouse) -> None:
    httpx.post(f"{dyehouse.sim_url}/reset", timeout=30).raise_for_status()
    check = await checked(dyehouse, "TW-240", "black", 400)
    assert "queued 2nd of 3 on D1, after PO-D1-0312, changeover 230 min instead of 280 min at the queue's end" \
        in accept(check, {}, dyehouse.load_plant()).line
    orders = await placed(dyehouse, check, "D1")
    assert [(o.id, o.queue_position) for o in orders] == [("PO-D1-0311", None), ("PO-D1-0312", 1),
                                                          ("PO-D1-0314", 2), ("PO-D1-0313", 3)]


async def test_an_order_queued_before_one_that_is_not_planned_on_its_line_is_refused_and_changes_nothing(sim):
    async with MesClient.from_settings(sim) as mes:
        before = await mes.list_production_orders()
        for other in ("PO-L1-0042", "PO-L2-0108"):  # in progress; another line's
            with pytest.raises(Rejected) as refused:
                await mes.create_production_order(ProductionOrderCreate(
                    product="HX-200", colour="grey", quantity=10, before=other, requested_by="olga"),
                    idempotency_key=uuid.uuid4().hex)
            assert str(refused.value).endswith(f"{other!r} is not a planned order of line L1, so nothing can be "
                                               "queued before it; its queue: PO-L1-0043"), str(refused.value)
        assert await mes.list_production_orders() == before
