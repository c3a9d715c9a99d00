"""Issue #28 on the dyehouse's own simulator: a navy twill order refused at acceptance (its recipe takes the jet dyer
from 60 to 80 degC, beyond its 10 degC step), a sand one accepted with the planner's sign-off, and line D1 changed
over to it at its turn with the recipe read back from the PLC and the switch in the MES.

By hand, from plants/dyehouse: TW-240 sand runs JD-102 at 60 degC and pH 10.5; the simulator starts it at 60 degC,
pH 10.8 (within the 0.5 step).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from agent_helpers import script, waiting

from connectors.configured_orders import ProductionOrderStart
from connectors.records import ProductionOrderChange, ProductionOrderStatus
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.identity.users import UserDirectory
from copilot.llm.scripted import ScriptedChatModel
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.process import running_simulator
from twin.settings import TwinSettings

SITE = PLANTS / "dyehouse"
USERS = UserDirectory.load(SITE / "users.yaml")


@pytest.fixture(scope="module")
def dyehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own serving the dyehouse, its clock frozen (only /advance moves it)."""
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=SITE / "plant.yaml") as sim:
        yield sim


def _call(name: str, **args) -> dict:
    return {"name": name, "args": args}


async def _ask(copilot: Copilot, who: str, text: str) -> list:
    return [s async for s in copilot.ask(USERS.get(who), text, thread_id="dyehouse-planning")]


async def _sign_off(copilot: Copilot, tool: str, *approvers: str) -> None:
    for action in [a for a in copilot.pending() if a.tool == tool]:
        for approver in approvers[:action.decision.approvers]:
            decided, _ = await copilot.approve(action.action_id, USERS.get(approver), "checked")
        assert decided.status == "approved"


async def _run_to_its_end(copilot: Copilot, sim: ConnectorSettings, order_id: str, *, start: bool) -> None:
    """The order started at the HMI (when ``start``), run a while, and closed at the quantity it made."""
    mes = copilot.rt.deps.mes
    if start:
        await mes.start_production_order(order_id, ProductionOrderStart(requested_by="helen"),
                                         idempotency_key=uuid.uuid4().hex)
        httpx.post(f"{sim.sim_url}/advance", json={"seconds": 900}, timeout=120).raise_for_status()
    made = (await mes.get_production_order(order_id)).produced
    await mes.change_production_order(order_id, ProductionOrderChange(quantity=made, requested_by="helen"),
                                      idempotency_key=uuid.uuid4().hex)


async def test_the_dyehouse_refuses_a_steep_recipe_accepts_a_sand_order_and_changes_d1_over_to_it(dyehouse,
                                                                                                   tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=14)).isoformat()
    model: ScriptedChatModel = script(
        [_call("configure_order_accept", product="TW-240", colour="navy", quantity=500, due=due)],
        [_call("configure_order_accept", product="TW-240", colour="sand", quantity=500, due=due)],
        [_call("line_changeover", line="D1")])
    settings = CopilotSettings(site_dir=SITE, data_dir=tmp_path / "data")
    async with Copilot.open(model, settings=settings, connectors=dyehouse, twin=TwinSettings(site_dir=SITE)) \
            as copilot:
        deps = copilot.rt.deps
        refused = await _ask(copilot, "priya", f"place 500 kg of navy twill for {due}")
        assert refused[-1].text == ("- 500 TW-240 navy cannot be accepted: JD-102.temp_setpoint 80 degC is 20 degC "
                                    "from the line's current 60 degC, beyond its maximum step 10 degC")
        assert not copilot.pending()

        [wait] = waiting(await _ask(copilot, "priya", f"place 500 kg of sand twill for {due}"))
        assert wait.tool == "create_production_order"
        await _sign_off(copilot, "create_production_order", "nadia")
        await _sign_off(copilot, "create_purchase_order", "helen", "kwame")
        [order] = [o for o in await deps.mes.list_production_orders(line="D1") if o.variant == "TW-240-SAND"
                   and o.status is ProductionOrderStatus.planned]

        await _run_to_its_end(copilot, dyehouse, "PO-D1-0311", start=False)
        for ahead in ("PO-D1-0312", "PO-D1-0313"):
            await _run_to_its_end(copilot, dyehouse, ahead, start=True)
        [wait] = waiting(await _ask(copilot, "priya", "change D1 over to the next order"))
        assert wait.tool == "write_setpoints"
        await _sign_off(copilot, "write_setpoints", "helen", "ines")
        assert (await deps.plc.read("JD-102", "temp_setpoint")).value == 60
        assert (await deps.plc.read("JD-102", "ph_setpoint")).value == pytest.approx(10.5)
        switched = await deps.mes.get_production_order(order.id)
        assert switched.status is ProductionOrderStatus.in_progress
        assert [(c.old, c.new, c.requested_by) for c in switched.changes] == [
            ("", "planned", "priya"), ("planned", "in_progress", "priya")]
