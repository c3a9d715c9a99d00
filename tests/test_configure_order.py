"""Configure to order, checked by code against the simulator's PLM, ERP and MES over real HTTP, with answers
computed by hand from plants/riverside (plant.yaml, plm.yaml).

The line L1 queue the MES starts with: PO-L1-0042 in progress (grey, 1270 left) then PO-L1-0043 (blue with UV,
800). HX-200 makes 2 housings per 30 s cycle, 240 an hour, on a 16-hour day: the queue is 1270/240 h + the
changeover matrix's grey to blue (light to dark) of 25 min + 800/240 h = 9.04 h, so the line is free for a new order
today.
"""

from __future__ import annotations

from datetime import date

import pytest

from connectors.erp import ErpClient
from connectors.errors import NotFound
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.plm import PlmClient
from connectors.plm_file import load_plm
from connectors.records import PartOffer
from connectors.site import PLANTS, shipped_plant
from copilot.orders import (
    ConfigurationError,
    OrderRequest,
    SubstitutionKind,
    Verdict,
    check_configuration,
)
from copilot.orders.configuration import broken_rules, explode_bom, features_of, recipe_of
from copilot.orders.supply import Stock, supply
from tools.configuration_facts import ConfigurationFacts, read_facts

PLANT = load_plant(shipped_plant("riverside"))
PLM = load_plm(PLANTS / "riverside" / "plm.yaml", PLANT)
MONDAY, FRIDAY = date(2026, 12, 7), date(2026, 12, 11)


async def facts(settings, today: date = MONDAY, product: str = "HX-200") -> ConfigurationFacts:
    """What the configuration_facts tool reads from the simulator's PLM, ERP and MES."""
    async with PlmClient.from_settings(settings) as plm, ErpClient.from_settings(settings) as erp, \
            MesClient.from_settings(settings) as mes:
        return await read_facts(plm, erp, mes, product, today)


def housings(colour: str, *options: str, quantity: int = 600, due: date = FRIDAY) -> OrderRequest:
    return OrderRequest(product="HX-200", colour=colour, options=options, quantity=quantity, due=due)


async def test_a_configuration_that_breaks_an_option_rule_is_refused_naming_the_rule(sim) -> None:
    read = await facts(sim)
    both = check_configuration(housings("green", "glass_filled", "high_gloss", "uv_stabilised"), read, PLANT)
    alone = check_configuration(housings("green", "glass_filled"), read, PLANT)
    assert both.verdict is Verdict.rule_broken and not both.buildable
    assert [b.rule for b in both.broken_rules] == ["HX-R1"]
    assert both.broken_rules[0].line == ("rule HX-R1: glass_filled cannot go with high_gloss "
                                         "(glass fibres print through a high-gloss surface)")
    assert [b.rule for b in alone.broken_rules] == ["HX-R2"] and not alone.materials


async def test_a_configuration_buildable_on_time(sim) -> None:
    check = check_configuration(housings("grey"), await facts(sim), PLANT)
    assert check.verdict is Verdict.on_time and check.finish == MONDAY and check.build_date == MONDAY
    capacity = check.capacity
    assert capacity.queued_orders == ("PO-L1-0042", "PO-L1-0043")
    assert capacity.queue_h == pytest.approx(1270 / 240 + 25 / 60 + 800 / 240)  # 9.04 h
    assert (capacity.changeover_h, capacity.run_h) == (1.0, 2.5)  # blue to grey (dark to light): 60 min; 600 / 240 h
    by_material = {m.material: m for m in check.materials}
    assert set(by_material) == {"PP-HOMO", "INS-M6", "MB-GREY"}
    resin = by_material["PP-HOMO"]  # the queue takes 2070 x 0.42 kg of the 3000 kg
    assert (resin.needed, resin.free_stock, resin.to_buy) == (252.0, pytest.approx(2130.6), 0)
    assert by_material["MB-GREY"].free_stock == pytest.approx(60 - 1270 * 0.008)
    assert all(m.in_time and m.ready == MONDAY for m in check.materials)
    assert [(s.machine_id, s.tag, s.value) for s in check.recipe] == [
        ("IM-103", "barrel_temp_setpoint", 230), ("IM-103", "hold_pressure_setpoint", 600),
        ("HP-102", "pressure_setpoint", 150)]


async def test_a_material_too_late_offers_substitutions_and_marks_the_least_carbon_one_in_time(sim) -> None:
    check = check_configuration(housings("blue", "uv_stabilised"), await facts(sim), PLANT)
    assert check.verdict is Verdict.late
    (uv,) = check.late_materials
    # 600 x 0.004 kg; 4 kg in stock less 800 x 0.004 for PO-L1-0043; 1.6 kg short, 2 kg bought from the cheapest
    # offer (SUP-COLOR, 12 days): there on the 19th, the 2.5 h run done that day
    assert (uv.material, uv.needed, uv.free_stock, uv.to_buy, uv.supplier) == ("UV-ADD", 2.4, 0.8, 2, "SUP-COLOR")
    assert uv.ready == date(2026, 12, 19) and check.finish == date(2026, 12, 19)
    offered = [(x.kind, x.material, x.supplier, x.to_buy, x.cost, x.carbon_kg, x.ready.day, x.finish.day, x.meets_due)
               for x in uv.substitutions]
    assert offered == [
        (SubstitutionKind.supplier, "UV-ADD", "SUP-ECO", 2, 50.0, 1.8, 12, 12, False),
        (SubstitutionKind.supplier, "UV-ADD", "SUP-FAST", 2, 58.0, 8.0, 10, 10, True),
        # UV-HALS at 1.25 x 2.4 = 3 kg: 1 kg in stock, 2 kg bought
        (SubstitutionKind.alternate, "UV-HALS", "SUP-COLOR", 2, 52.0, 1.6, 16, 16, False),
        (SubstitutionKind.alternate, "UV-HALS", "SUP-ECO", 2, 60.0, 2.4, 11, 11, True),
        # another option: blue without UV (HX-R2 binds only glass_filled): PP-HOMO, INS-M6 and MB-BLUE from stock
        (SubstitutionKind.option, "UV-ADD", None, 0, 0.0, 0.0, 7, 7, True),
    ]
    assert uv.substitutions[-1].option_change == "without uv_stabilised"
    assert [x.recommended for x in uv.substitutions] == [False, False, False, True, False]


async def test_a_recipe_beyond_a_setpoint_limit_is_refused(sim) -> None:
    check = check_configuration(housings("blue", "high_gloss"), await facts(sim), PLANT)
    assert check.verdict is Verdict.recipe_beyond_limits and not check.buildable
    (refused,) = check.recipe_refusals
    assert refused.line == "IM-103.barrel_temp_setpoint 268 degC is beyond its limits 200..260"


def test_an_engineering_change_mid_week_changes_the_bom_of_builds_from_its_date_only() -> None:
    housing = next(p for p in PLM.products if p.id == "HX-200")
    features = features_of(housing, "grey", [])

    def resin(day: int) -> list[tuple[str, float, str | None]]:
        bom = explode_bom(housing, PLM.engineering_changes, features, date(2026, 12, day))
        return [(n.material, n.qty_per_unit, n.engineering_change) for n in bom if n.material.startswith("PP-")]

    assert resin(7) == resin(8) == [("PP-HOMO", 0.42, None)]  # EC-2026-031 takes effect on Wednesday the 9th
    assert resin(9) == resin(10) == [("PP-RECY", 0.43, "EC-2026-031")]


async def test_the_check_explodes_the_bom_at_the_build_date(sim) -> None:
    before = check_configuration(housings("grey"), await facts(sim, date(2026, 12, 8)), PLANT)
    after = check_configuration(housings("grey"), await facts(sim, date(2026, 12, 9)), PLANT)
    assert {m.material for m in before.materials} >= {"PP-HOMO"}
    recycled = next(m for m in after.materials if m.material == "PP-RECY")
    assert (recycled.needed, recycled.engineering_change) == (pytest.approx(258.0), "EC-2026-031")


def test_open_purchase_orders_count_by_their_delivery_date() -> None:
    offer = PartOffer(supplier="SUP-X", supplier_name="X", price=2.0, lead_time_days=10, carbon_kg=1.0)
    stock = Stock("M", "m", "kg", stock=5, reserved=2, open_orders=((date(2026, 12, 10), 4), (date(2026, 12, 9), 3)),
                  offers=(offer,))
    assert supply(stock, 6, MONDAY, offer) == supply(stock, 6, MONDAY, None)  # 3 free + 3 on the 9th
    assert supply(stock, 6, MONDAY, offer).ready == date(2026, 12, 9)
    short = supply(stock, 11.5, MONDAY, offer)  # 3 + 3 + 4 = 10 by the 10th, 1.5 short: 2 bought, 10 days
    assert (short.on_order, short.to_buy, short.ready) == (7, 2, date(2026, 12, 17))


@pytest.mark.parametrize(("request_", "message"), [
    (housings("purple"), "HX-200 comes in grey, blue, green, not 'purple'"),
    (housings("blue", "chrome"), "HX-200 has no option 'chrome'; its options are: uv_stabilised, glass_filled"),
    (housings("blue", quantity=0), "the quantity must be at least 1, not 0"),
    (housings("blue", due=date(2026, 12, 1)), "the due date 2026-12-01 is already past (today is 2026-12-07)"),
])
async def test_a_request_the_check_cannot_take_gets_one_line(sim, request_, message) -> None:
    read = await facts(sim)
    with pytest.raises(ConfigurationError) as caught:
        check_configuration(request_, read, PLANT)
    assert message in str(caught.value) and "\n" not in str(caught.value)


async def test_a_product_plm_does_not_know_is_named_with_those_it_knows(sim) -> None:
    with pytest.raises(NotFound, match="PLM knows no product 'ZZ-9'; it has: HX-200, CL-500"):
        await facts(sim, product="ZZ-9")


def test_the_dyehouse_rules_and_recipes_are_checked_the_same_way() -> None:
    plant = load_plant(shipped_plant("dyehouse"))
    twill = load_plm(PLANTS / "dyehouse" / "plm.yaml", plant).products[0]
    assert [b.rule for b in broken_rules(twill, features_of(twill, "sand", ["deep_shade"]))] == ["TW-R1"]
    navy = recipe_of(twill, features_of(twill, "navy", ["deep_shade"]), plant)
    assert [(s.tag, s.value, s.within_limits) for s in navy] == [("temp_setpoint", 95, True),
                                                                 ("ph_setpoint", 11, True)]
