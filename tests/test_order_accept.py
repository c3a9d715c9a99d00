"""Accepting a configured order and changing a line over (issue #28), with answers computed by hand from
plants/riverside and plants/dyehouse (plant.yaml, plm.yaml) and the simulator's starting setpoints.

The simulator starts IM-103 at barrel 230 degC, hold 650 bar, HP-102 at 160 bar; JD-102 at 60 degC, pH 10.8.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from connectors.configured_orders import OrderSetpoint, ProductionOrderCreate, ProductionOrderStart
from connectors.erp import ErpClient
from connectors.errors import NotFound, Rejected
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.plm import PlmClient
from connectors.plm_file import load_plm
from connectors.records import ProductionOrderRecord, ProductionOrderStatus
from connectors.site import PLANTS, PRODUCT_DEFAULTS, shipped_plant
from copilot.orders import AcceptanceRefused, OrderRequest, Verdict, accept, check_configuration, step_breaches
from copilot.orders.configuration import explode_bom, features_of, recipe_of
from copilot.procedures.acceptance import changeover
from copilot.procedures.outcome import Stop
from policies.engine import ApprovalRefused, check_approver, evaluate
from policies.model import ActionContext, Deny, Prediction, RequireApproval, Risk, Role, SetpointWrite
from policies.rules import Policy
from tools.base import ToolArgumentsError
from tools.configuration_facts import read_facts
from tools.registry import TOOLS

RIVERSIDE = load_plant(shipped_plant("riverside"))
DYEHOUSE = load_plant(shipped_plant("dyehouse"))
POLICY = Policy.load(PRODUCT_DEFAULTS / "policy.yaml", tools=TOOLS)
MONDAY, FRIDAY = date(2026, 12, 7), date(2026, 12, 11)
LINE_NOW = {("IM-103", "barrel_temp_setpoint"): 230.0, ("IM-103", "hold_pressure_setpoint"): 650.0,
            ("HP-102", "pressure_setpoint"): 160.0}


async def checked(sim, colour: str, *options: str):
    async with PlmClient.from_settings(sim) as plm, ErpClient.from_settings(sim) as erp, \
            MesClient.from_settings(sim) as mes:
        facts = await read_facts(plm, erp, mes, "HX-200", MONDAY)
    return check_configuration(OrderRequest("HX-200", colour, options, 600, FRIDAY), facts, RIVERSIDE)


async def test_a_recipe_beyond_a_limit_is_refused_at_acceptance_naming_the_setpoint_and_the_limit(sim) -> None:
    glossy = await checked(sim, "grey", "high_gloss")  # 268 degC with a high gloss; IM-103's barrel stops at 260
    assert glossy.verdict is Verdict.recipe_beyond_limits
    with pytest.raises(AcceptanceRefused) as refused:
        accept(glossy, LINE_NOW, RIVERSIDE)
    assert str(refused.value) == ("600 HX-200 grey with high_gloss cannot be accepted: IM-103.barrel_temp_setpoint "
                                  "268 degC is beyond its limits 200..260")


async def test_a_recipe_beyond_the_max_step_from_the_line_now_is_refused_before_anything_is_proposed(sim) -> None:
    outdoor = await checked(sim, "grey", "glass_filled", "uv_stabilised")  # 250 degC, 750 bar, 190 bar
    assert outdoor.buildable
    with pytest.raises(AcceptanceRefused) as refused:
        accept(outdoor, LINE_NOW, RIVERSIDE)
    assert str(refused.value) == (
        "600 HX-200 grey with glass_filled, uv_stabilised cannot be accepted: "
        "IM-103.barrel_temp_setpoint 250 degC is 20 degC from the line's current 230 degC, beyond its maximum step "
        "10 degC; IM-103.hold_pressure_setpoint 750 bar is 100 bar from the line's current 650 bar, beyond its "
        "maximum step 50 bar; HP-102.pressure_setpoint 190 bar is 30 bar from the line's current 160 bar, beyond "
        "its maximum step 20 bar")
    blue = accept(await checked(sim, "blue", "uv_stabilised"), LINE_NOW, RIVERSIDE)  # 235 / 600 / 150: in steps
    assert [(p.part_id, p.quantity, p.supplier_id) for p in blue.purchases] == [("UV-ADD", 2, "SUP-COLOR")]
    assert (blue.place.position, blue.place.after, blue.place.before) == (2, "PO-L1-0043", None)  # with its twin


def test_the_dyehouse_recipe_is_held_to_the_dyer_s_max_step_too() -> None:
    twill = load_plm(PLANTS / "dyehouse" / "plm.yaml", DYEHOUSE).products[0]
    now = {("JD-102", "temp_setpoint"): 60.0, ("JD-102", "ph_setpoint"): 10.8}
    deep = step_breaches(recipe_of(twill, features_of(twill, "navy", ["deep_shade"]), DYEHOUSE), now, DYEHOUSE)
    assert [b.line for b in deep] == ["JD-102.temp_setpoint 95 degC is 35 degC from the line's current 60 degC, "
                                      "beyond its maximum step 10 degC"]  # pH 11 is 0.2 from 10.8, within 0.5
    assert step_breaches(recipe_of(twill, features_of(twill, "sand", []), DYEHOUSE), now, DYEHOUSE) == ()


def test_the_dyehouse_engineering_change_mid_week_changes_the_bom_of_dyeings_from_its_date_only() -> None:
    twill = load_plm(PLANTS / "dyehouse" / "plm.yaml", DYEHOUSE)

    def salt(day: int) -> list[tuple[str, float, str | None]]:
        bom = explode_bom(twill.products[0], twill.engineering_changes, frozenset(["olive"]), date(2026, 12, day))
        return [(n.material, n.qty_per_unit, n.engineering_change) for n in bom if n.material.startswith("SALT")]

    assert salt(11) == salt(13) == [("SALT-GLAUBER", 0.4, None)]  # EC-D-014 takes effect on Monday the 14th
    assert salt(14) == salt(16) == [("SALT-LOW", 0.25, "EC-D-014")]


def test_a_new_production_order_waits_for_a_planners_or_supervisors_sign_off_whoever_asks() -> None:
    for role in (Role.operator, Role.supervisor, Role.engineer, Role.planner):
        decision = evaluate(POLICY, ActionContext(tool="create_production_order", risk=Risk.write, requester="x",
                                                  role=role, line_id="L1", quantity=600))
        assert isinstance(decision, RequireApproval) and decision.rule == "new production orders"
        assert (decision.roles, decision.approvers) == ([Role.planner, Role.supervisor, Role.admin], 1)
    check_approver(decision, "olga", "pia", Role.planner, [])  # a planner signs it off
    with pytest.raises(ApprovalRefused):  # but no setpoint change
        check_approver(evaluate(POLICY, _recipe(_dyer("temp_setpoint", 60, 70, 40, 98, 10))), "olga", "pia",
                       Role.planner, [])


def _recipe(*writes: SetpointWrite) -> ActionContext:
    return ActionContext(tool="write_setpoints", risk=Risk.write, requester="olga", role=Role.operator,
                         line_id="D1", writes=list(writes))


def _dyer(tag: str, old: float, new: float, low: float, high: float, step: float, **more) -> SetpointWrite:
    facts = dict(machine_id="JD-102", tag=tag, tag_writable=True, tag_min=low, tag_max=high, tag_max_step=step,
                 old_value=old, new_value=new, prediction=Prediction(modelled=True, settle_minutes=9))
    return SetpointWrite(**(facts | more))


def test_a_recipe_is_one_change_approved_once_and_each_setpoint_is_held_to_its_limits_and_step() -> None:
    within = evaluate(POLICY, _recipe(_dyer("temp_setpoint", 60, 70, 40, 98, 10), _dyer("ph_setpoint", 10.8, 10.5,
                                                                                        4, 11.5, 0.5)))
    assert isinstance(within, RequireApproval) and (within.rule, within.approvers) == ("recipe changeovers", 1)
    beyond = evaluate(POLICY, _recipe(_dyer("temp_setpoint", 60, 95, 40, 98, 10), _dyer("ph_setpoint", 10.8, 12,
                                                                                        4, 11.5, 0.5)))
    assert isinstance(beyond, Deny) and beyond.reasons == [
        "JD-102 temp_setpoint would change by 35 (60 → 95), more than the maximum step of 10 per write; change it "
        "in smaller steps", "JD-102 ph_setpoint 12 is above the limit 11.5",
        "JD-102 ph_setpoint would change by 1.2 (10.8 → 12), more than the maximum step of 0.5 per write; change it "
        "in smaller steps"]
    unknown = evaluate(POLICY, _recipe(_dyer("temp_setpoint", 60, 70, 40, 98, 10, prediction=None)))
    assert isinstance(unknown, RequireApproval) and unknown.approvers == 2  # no dry run: two people check it
    run = evaluate(POLICY, _recipe(_dyer("temp_setpoint", 60, 70, 40, 98, 10),
                                   SetpointWrite(machine_id="JD-102", tag="run", tag_writable=True, run_command=True,
                                                 tag_min=0, tag_max=1, old_value=1, new_value=0)))
    assert isinstance(run, RequireApproval) and run.approvers == 2  # a stop in a recipe is critical


def test_the_line_changes_over_only_once_its_order_in_progress_has_made_its_quantity() -> None:
    def order(order_id: str, status: ProductionOrderStatus, quantity: int, produced: int) -> ProductionOrderRecord:
        return ProductionOrderRecord(id=order_id, line="D1", product="TW-240", product_name="twill", variant="V",
                                     variants=["V"], quantity=quantity, produced=produced,
                                     remaining=quantity - produced, status=status, changes=[])

    running = order("PO-D1-0311", ProductionOrderStatus.in_progress, 8000, 5200)
    queued = [order("PO-D1-0312", ProductionOrderStatus.planned, 4000, 0),
              order("PO-D1-0313", ProductionOrderStatus.planned, 2400, 0)]
    with pytest.raises(Stop, match="^line D1 has not reached PO-D1-0312 yet: PO-D1-0311 still has 2800 of 8000 to "
                                   "make$"):
        changeover([running, *queued], "D1")
    done = running.model_copy(update={"produced": 8000, "remaining": 0})
    assert changeover([done, *queued], "D1").value == {"order_id": "PO-D1-0312"}
    with pytest.raises(Stop, match="^no order is queued on line F9$"):
        changeover([done, *queued], "F9")


async def test_bad_orders_get_one_clear_line_and_change_nothing(sim) -> None:
    def create(product: str, *recipe: OrderSetpoint) -> ProductionOrderCreate:
        return ProductionOrderCreate(product=product, colour="green", quantity=10, recipe=list(recipe),
                                     requested_by="olga")

    async with MesClient.from_settings(sim) as mes:
        before = await mes.list_production_orders()
        with pytest.raises(NotFound) as unknown:
            await mes.create_production_order(create("ZZ-9"), idempotency_key=uuid.uuid4().hex)
        with pytest.raises(Rejected) as reading:
            await mes.create_production_order(create("HX-200", OrderSetpoint(machine_id="IM-103", tag="barrel_temp",
                                                                             value=230)),
                                              idempotency_key=uuid.uuid4().hex)
        with pytest.raises(Rejected) as running:
            await mes.start_production_order("PO-L1-0042", ProductionOrderStart(requested_by="olga"),
                                             idempotency_key=uuid.uuid4().hex)
        with pytest.raises(Rejected) as early:
            await mes.start_production_order("PO-L1-0043", ProductionOrderStart(requested_by="olga"),
                                             idempotency_key=uuid.uuid4().hex)
        assert await mes.list_production_orders() == before
    for error in (unknown, reading, running, early):
        assert "\n" not in str(error.value)
    assert "unknown product 'ZZ-9'; the MES has: CL-500, HX-200" in str(unknown.value)
    assert "IM-103.barrel_temp is not a writable setpoint" in str(reading.value)
    assert "PO-L1-0042 is in_progress; only a planned order can start" in str(running.value)
    assert "PO-L1-0042 is still in progress on L1 with 1270 of 2400 to make" in str(early.value)
    with pytest.raises(ToolArgumentsError) as bad:
        TOOLS["create_production_order"].parse({"product": "HX-200", "colour": "green", "quantity": 0})
    assert str(bad.value) == "invalid arguments for create_production_order: quantity: Input should be greater than 0"
