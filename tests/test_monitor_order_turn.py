"""The monitor changes a line over at its next order's turn (issue #28): once the order in progress has made its
quantity and the next order of the MES's queue has a recipe the machines are not at, one alert opens for the line
and runs line_changeover in its thread, the recipe waiting for sign-off as one change; once approved, the setpoints
read back from the PLC and the MES shows the next order started. Once per order, on the simulator of each plant.

By hand: riverside starts IM-103 at barrel 230 degC, hold 650 bar, HP-102 at 160 bar; the order's recipe is green
with UV protection (235, 600, 150), each within its maximum step. The dyehouse starts JD-102 at 60 degC, pH 10.8; a
sand dyeing runs at 60 degC, pH 10.5 (only the pH changes).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from agent_helpers import copilot_on, script, user

from connectors.configured_orders import OrderSetpoint, ProductionOrderCreate
from connectors.records import ProductionOrderChange, ProductionOrderStatus
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.identity.users import User, UserDirectory
from copilot.monitor.alerts import Alerts
from copilot.monitor.spec import DetectionKind, MonitorSpec
from copilot.monitor.watch import ACTOR, Monitor
from copilot.procedures.spec import Procedures
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.process import running_simulator
from tools.registry import TOOLS
from twin.settings import TwinSettings

PROCEDURES = Procedures.load(CopilotSettings().procedures_file, TOOLS)
CAUSE = "next order's turn"


@pytest.fixture(scope="module")
def dyehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own serving the dyehouse, its clock frozen."""
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim


def turns_only(settings: ConnectorSettings, monitor_file) -> MonitorSpec:
    """The plant's monitor file, its order-turn detection alone."""
    spec = MonitorSpec.load(monitor_file, settings.load_plant(), PROCEDURES)
    return spec.model_copy(update={"detections": [d for d in spec.detections if d.kind is DetectionKind.order_turn]})


async def next_order(copilot: Copilot, product: str, colour: str, recipe: dict, before: str, running: str) -> str:
    """A configured order queued next on its line, and the order in progress made to what it has produced."""
    mes = copilot.rt.deps.mes
    created = await mes.create_production_order(ProductionOrderCreate(
        product=product, colour=colour, quantity=100, before=before, requested_by="olga",
        recipe=[OrderSetpoint(machine_id=m, tag=t, value=v) for (m, t), v in recipe.items()]),
        idempotency_key=uuid.uuid4().hex)
    order = await mes.get_production_order(running)
    await mes.change_production_order(running, ProductionOrderChange(
        quantity=order.produced, requested_by="sam", reason="run ended"), idempotency_key=uuid.uuid4().hex)
    return created.id


async def changed_over_by_the_monitor(copilot: Copilot, spec: MonitorSpec, line: str, order_id: str, recipe: dict,
                                      approvers: tuple[str, str], running: str,
                                      who: Callable[[str], User] = user) -> None:
    """One check opens the line's alert and proposes the recipe; the next proposes nothing more; once signed off
    the recipe is on the PLC and the order started in the MES, and the next check clears the alert."""
    alerts = Alerts(copilot.rt.settings.state_db)
    try:
        monitor = Monitor(copilot, spec, alerts, who(ACTOR))
        first = await monitor.check()
        assert [(a.machine_id, a.cause) for a in first.opened] == [(line, CAUSE)]
        [alert] = first.opened
        assert alert.evidence["next_order"] == order_id and alert.evidence["finished"] == running
        [changeover] = copilot.pending()
        assert (changeover.tool, changeover.requester, changeover.thread_id) == ("write_setpoints", ACTOR,
                                                                               alert.thread_id)
        assert {(s["machine_id"], s["tag"]): s["value"] for s in changeover.arguments["setpoints"]} == recipe
        again = await monitor.check()  # the turn lasts while it waits: nothing opened or proposed twice
        assert again.opened == [] and [a.action_id for a in copilot.pending()] == [changeover.action_id]

        for approver in approvers[:changeover.decision.approvers]:
            decided, _ = await copilot.approve(changeover.action_id, who(approver), "recipe checked")
        assert decided.status == "approved"
        deps = copilot.rt.deps
        for (machine, tag), value in recipe.items():
            assert (await deps.plc.read(machine, tag)).value == value
        assert (await deps.mes.get_production_order(order_id)).status is ProductionOrderStatus.in_progress
        assert (await deps.mes.get_production_order(running)).status is ProductionOrderStatus.done
        after = await monitor.check()
        assert [(a.machine_id, a.cause) for a in after.cleared] == [(line, CAUSE)] and after.opened == []
    finally:
        alerts.close()


async def test_the_monitor_changes_l1_over_to_its_next_order_once(sim, tmp_path) -> None:
    recipe = {("IM-103", "barrel_temp_setpoint"): 235.0, ("IM-103", "hold_pressure_setpoint"): 600.0,
              ("HP-102", "pressure_setpoint"): 150.0}
    spec = turns_only(sim, CopilotSettings().monitor_file)
    async with copilot_on(sim, tmp_path, script()) as copilot:
        assert (await Monitor(copilot, spec, Alerts(copilot.rt.settings.state_db), user(ACTOR)).check()).opened == []
        order_id = await next_order(copilot, "HX-200", "green", recipe, "PO-L1-0043", "PO-L1-0042")
        await changed_over_by_the_monitor(copilot, spec, "L1", order_id, recipe, ("sam", "eli"), "PO-L1-0042")


async def test_the_monitor_changes_d1_over_to_its_next_dyeing(dyehouse, tmp_path) -> None:
    recipe = {("JD-102", "temp_setpoint"): 60.0, ("JD-102", "ph_setpoint"): 10.5}
    site = PLANTS / "dyehouse"
    spec = turns_only(dyehouse, site / "monitor.yaml")
    settings = CopilotSettings(site_dir=site, data_dir=tmp_path / "data")
    async with Copilot.open(script(), settings=settings, connectors=dyehouse, twin=TwinSettings(site_dir=site)) \
            as copilot:
        order_id = await next_order(copilot, "TW-240", "sand", recipe, "PO-D1-0312", "PO-D1-0311")
        await changed_over_by_the_monitor(copilot, spec, "D1", order_id, recipe, ("helen", "ines"), "PO-D1-0311",
                                          UserDirectory.load(site / "users.yaml").get)
