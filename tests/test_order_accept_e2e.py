"""Issue #28 end to end on the simulator's demo plant: a configured order accepted as one proposal with the sign-off
the policy asks (through the copilot's approvals API), its purchase order placed in the ERP and read back, and line
L1 changed over at its turn: the recipe's setpoints written as one change approved once, read back from the PLC,
and the switch in the MES.

By hand, from plants/riverside: 600 HX-200 green with UV protection run at IM-103 barrel 235 degC (230, 235 with
UV), hold 600 bar and HP-102 150 bar; the simulator starts at 230 / 650 / 160, each within its maximum step (10,
50, 20). UV-ADD: 600 x 0.004 = 2.4 kg, 0.8 free, so 2 kg are bought from SUP-COLOR (the cheapest offer).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from agent_helpers import SimControl, ask, call, copilot_on, script, user, waiting

from connectors.configured_orders import ProductionOrderStart
from connectors.records import ProductionOrderChange, ProductionOrderStatus
from copilot.service import Copilot

RECIPE = {("IM-103", "barrel_temp_setpoint"): 235.0, ("IM-103", "hold_pressure_setpoint"): 600.0,
          ("HP-102", "pressure_setpoint"): 150.0}


async def sign_off(copilot: Copilot, tool: str, *approvers: str) -> list:
    """Approve every pending action of ``tool`` by ``approvers`` in turn until each has what it needs; the steps of
    the resumed run."""
    steps = []
    for action in [a for a in copilot.pending() if a.tool == tool]:
        for approver in approvers[:action.decision.approvers]:
            decided, resumed = await copilot.approve(action.action_id, user(approver), "checked")
            steps += resumed
        assert decided.status == "approved"
    return steps


async def finish(copilot: Copilot, order_id: str) -> None:
    """The order made to the quantity it has produced, as the MES would close it at the line's HMI."""
    mes = copilot.rt.deps.mes
    order = await mes.get_production_order(order_id)
    change = ProductionOrderChange(quantity=order.produced, requested_by="sam", reason="run ended")
    await mes.change_production_order(order_id, change, idempotency_key=uuid.uuid4().hex)


async def test_a_configured_order_is_accepted_placed_and_the_line_changed_over_at_its_turn(sim, tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    model = script([call("configure_order_accept", product="HX-200", colour="green", options=["uv_stabilised"],
                         quantity=600, due=due)],
                   [call("line_changeover", line="L1")], [call("line_changeover", line="L1")])
    control = SimControl(sim)
    try:
        async with copilot_on(sim, tmp_path, model) as copilot:
            deps = copilot.rt.deps
            steps = await ask(copilot, "olga", f"go ahead, place 600 green housings with UV protection for {due}",
                              thread_id="planning")
            [wait] = waiting(steps)
            assert wait.tool == "create_production_order"
            [proposed] = copilot.pending()
            assert proposed.decision.rule == "new production order" + "s"
            assert {(s["machine_id"], s["tag"]): s["value"] for s in proposed.arguments["recipe"]} == RECIPE
            assert proposed.arguments["before"] == "PO-L1-0043"  # grey to green to blue: 40 min, not 70 at the end
            await sign_off(copilot, "create_production_order", "pia")  # the planner
            [order] = [o for o in await deps.mes.list_production_orders(line="L1") if o.id == "PO-L1-0044"]
            assert (order.status, order.variant, order.quantity) == (ProductionOrderStatus.planned,
                                                                   "HX-200-GREEN-UV_STABILISED", 600)
            purchases = [a for a in copilot.pending() if a.tool == "create_purchase_order"]
            assert ("UV-ADD", 2, "SUP-COLOR") in {(a.arguments["part_id"], a.arguments["quantity"],
                                                   a.arguments["supplier_id"]) for a in purchases}
            await sign_off(copilot, "create_purchase_order", "sam")
            placed = {(p.part, p.quantity, p.supplier) for p in await deps.erp.list_purchase_orders()}
            assert ("UV-ADD", 2, "SUP-COLOR") in placed

            early = await ask(copilot, "olga", "change line 1 over to the next order", thread_id="planning")
            assert "PO-L1-0042 still has" in early[-1].text and not copilot.pending()

            await finish(copilot, "PO-L1-0042")  # the line's own orders ahead run to their end
            await deps.mes.start_production_order("PO-L1-0043", ProductionOrderStart(requested_by="sam"),
                                                idempotency_key=uuid.uuid4().hex)
            control.advance(120)
            await finish(copilot, "PO-L1-0043")

            steps = await ask(copilot, "olga", "change line 1 over to the next order", thread_id="planning")
            [wait] = waiting(steps)
            assert wait.tool == "write_setpoints"
            [changeover] = copilot.pending()
            assert {(s["machine_id"], s["tag"]): s["value"] for s in changeover.arguments["setpoints"]} == RECIPE
            [answer] = [s.text for s in await sign_off(copilot, "write_setpoints", "sam", "eli") if s.kind == "answer"]
            assert answer.startswith("- Line L1 changes over to PO-L1-0044 (HX-200-GREEN-UV_STABILISED, 600): "
                                     "PO-L1-0043 finished\n- Done: IM-103 barrel temperature setpoint 230 → 235 °C; "
                                     "IM-103 hold pressure setpoint 650 → 600 bar; HP-102 pressure setpoint 160 → "
                                     "150 bar"), answer
            for (machine, tag), value in RECIPE.items():
                assert (await deps.plc.read(machine, tag)).value == value
            switched = await deps.mes.get_production_order("PO-L1-0044")
            assert switched.status is ProductionOrderStatus.in_progress
            assert [(c.field, c.old, c.new, c.requested_by) for c in switched.changes] == [
                ("status", "", "planned", "olga"), ("status", "planned", "in_progress", "olga")]
            assert (await deps.mes.get_production_order("PO-L1-0043")).status is ProductionOrderStatus.done
            assert [(s.machine_id, s.tag, s.value) for s in (await deps.mes.order_recipe("PO-L1-0044")).setpoints] \
                == [(m, t, v) for (m, t), v in RECIPE.items()]
    finally:
        control.close()
