"""Configure to order in the plant chat: the configure_order_check procedure reads the facts through the gate,
code decides, and the answer is written from the check; on the simulator with a scripted model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from agent_helpers import ask, call, copilot_on, results, script, waiting

from copilot import Choice
from copilot.understanding.dates import day_named

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(("said", "day"), [
    ("Friday", date(2026, 12, 11)), ("bis Freitag", date(2026, 12, 11)), ("monday", MONDAY),
    ("2026-12-18", date(2026, 12, 18)), ("18.12.", date(2026, 12, 18)), ("1.1.", date(2027, 1, 1)),
    ("in 5 days", date(2026, 12, 12)), ("in 2 weeks", date(2026, 12, 21)), ("tomorrow", date(2026, 12, 8)),
    ("do pátku", date(2026, 12, 11)), ("do piątku", date(2026, 12, 11)), ("vrijdag", date(2026, 12, 11)),
    ("até sexta-feira", date(2026, 12, 11)), ("cumaya kadar", date(2026, 12, 11)), ("za 5 dní", date(2026, 12, 12)),
    ("binnen 2 weken", date(2026, 12, 21)), ("zítra", date(2026, 12, 8)), ("30.2.2027", None), ("soon", None),
])
def test_a_due_day_is_found_by_code_from_today(said: str, day: date | None) -> None:
    assert day_named(said, MONDAY) == day


async def test_a_late_material_is_answered_with_its_substitutions_the_least_carbon_one_marked(sim, tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=4)).isoformat()  # the check's today is the plant's calendar
    model = script([call("configure_order_check", product="HX-200", colour="blue", options=["uv_stabilised"],
                         quantity=600, due=due)])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", f"can we make 600 housings in blue with UV protection by {due}?")
    assert [s.tool for s in results(steps)] == ["configuration_facts"]
    answer = steps[-1].text
    assert answer.startswith(f"- 600 HX-200 blue with uv_stabilised: the due date {due} does not hold"), answer
    assert "Late: UV-ADD 2.4 kg (free 0.8, on order 0, buy 2 from SUP-COLOR)" in answer
    assert "alternate UV-HALS: 2 from SUP-ECO, cost 60.00, 2.4 kg CO2e" in answer
    marked = [part for part in answer.split("; ") if "(recommended)" in part]
    assert len(marked) == 1 and marked[0].startswith("alternate UV-HALS: 2 from SUP-ECO"), answer


async def test_a_broken_option_rule_is_refused_naming_it_and_a_missing_quantity_is_asked_back(sim, tmp_path):
    model = script([call("configure_order_check", product="CL-500", colour="red", options=["tamper_evident_cap"],
                         quantity=500, due="Friday")],
                   [call("configure_order_check", product="CL-500", colour="red", quantity=None, due="Friday")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        refused = (await ask(copilot, "olga", "500 red coolant bottles with the tamper-evident cap by Friday?"))
        asked = (await ask(copilot, "olga", "and red coolant bottles by Friday?"))[-1].text
    assert refused[-1].text == ("- 500 CL-500 red with tamper_evident_cap: refused, it breaks rule CL-R1: "
                                "tamper_evident_cap needs one of long_life (the tamper-evident cap is sold on the "
                                "long-life range only)")
    assert asked == "How many CL-500 does the customer want?"


async def test_options_only_plm_offers_are_read_from_the_request_and_the_product_from_its_words(sim, tmp_path):
    # the model filled no product and a wrong option; the request names the housing, glass fibre and high gloss,
    # which only PLM offers (no variant of the plant file has them)
    model = script([call("configure_order_check", product=None, colour="grey", options=["long_life"],
                         quantity=300, due="2026-12-21")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "customer wants 300 grey pump housings, glass-fibre reinforced with "
                                           "high gloss and UV protection, by 2026-12-21 - doable?")
    answer = steps[-1].text
    assert answer.startswith("- 300 HX-200 grey with uv_stabilised, glass_filled, high_gloss: refused, it breaks "
                             "rule HX-R1"), answer


async def test_words_that_claim_an_order_was_placed_when_nothing_ran_are_not_the_answer(sim, tmp_path):
    claim = "The order has been accepted: 500 blue HX-200 housings for 2026-12-21."
    model = script(claim, claim, claim)  # the chooser in words, again when it must choose, then the free loop
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "ok, we take the order: 500 blue HX-200 with UV protection for 2026-12-21")
    assert results(steps) == []
    assert steps[-1].text.startswith("Nothing has changed: no action ran for this request"), steps[-1].text


async def test_a_configuration_the_chooser_took_for_a_lookup_is_chosen_again_among_the_configure_procedures(
        sim, tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    model = script([call("sign_off_history_lookup", machine=None, order=None, hours=None)],
                   [call("configure_order_accept", product="HX-200", colour="green", options=["uv_stabilised"],
                         quantity=600, due=due)], narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", f"let's confirm the order: 600 green housings with UV protection, {due}")
    assert [s.tool for s in waiting(steps)] == ["create_production_order"]
    assert "sign_off_history" not in [s.tool for s in results(steps)]


async def test_a_new_configuration_the_chooser_took_for_a_change_of_an_order_is_chosen_again(sim, tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    model = script([call("change_production", order="PO-L1-0043", variant=None, colour="blue", options=None,
                         total=500, more=None, product=None, without=None)],
                   [call("configure_order_accept", product="HX-200", colour="blue", options=["uv_stabilised"],
                         quantity=500, due=due)], narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "pia", f"C'est bon, on prend la commande : 500 boîtiers HX-200 bleus avec "
                                          f"protection UV pour le {due}.")
    assert [s.tool for s in waiting(steps)] == ["create_production_order"]  # a new order, not PO-L1-0043 changed


async def test_a_complaint_the_chooser_took_for_a_configuration_is_chosen_again_among_the_others(sim, tmp_path):
    model = script([call("configure_order_check", product=None, colour="blue", options=None, quantity=None,
                         due=None)],
                   [call("line_root_cause", line="L1", machine=None)], narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "the moulding line keeps making blue parts with flash, what's causing it?")
    assert [s.tool for s in steps if isinstance(s, Choice)] == ["line_root_cause"]
    assert "line_history" in [s.tool for s in results(steps)]
    assert "Which product" not in steps[-1].text


async def test_a_change_of_a_running_order_the_chooser_took_for_a_new_one_is_chosen_again(sim, tmp_path):
    model = script([call("configure_order_accept", product="HX-200", colour="blue", options=["uv_stabilised"],
                         quantity=500, due=None)],
                   [call("change_production", order=None, line=None, product=None, variant=None, colour="blue",
                         options=["uv_stabilised"], without=None, quantity=500, added=None)], narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "pia", "they want the blue UV run cut back to 500")
    assert [s.tool for s in steps if isinstance(s, Choice)] == ["change_production"]  # a quantity, no product, no day
    assert [s.tool for s in waiting(steps)] == ["change_production_order"]


async def test_an_order_described_by_its_colour_is_chosen_again_among_the_procedures_that_take_an_order(sim, tmp_path):
    model = script([call("configure_order_accept", product=None, colour="grey", options=None, quantity=200,
                         due=None)],
                   [call("order_part", part="UV-ADD", quantity=200, preference=None)],
                   [call("change_production", order=None, line=None, product=None, variant=None, colour="grey",
                         options=None, without=None, quantity=None, added=200)], narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "pia", "sales rang, bump the grey run up by another 200")
    assert [s.tool for s in steps if isinstance(s, Choice)] == ["change_production"]  # not a part to buy
    assert [s.tool for s in waiting(steps)] == ["change_production_order"]


async def test_options_taken_off_an_order_described_by_them_is_chosen_among_the_order_procedures(sim, tmp_path):
    model = script([call("configure_order_accept", product="HX-200", colour="blue", options=None, quantity=None,
                         due=None)],
                   [call("line_changeover", line="L1")],
                   [call("change_production", order=None, line=None, product=None, variant=None, colour="blue",
                         options=["uv_stabilised"], without=["uv_stabilised"], quantity=None, added=None)],
                   narrowed=True)
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "pia", "the blue UV job: take the UV off, plain blue is fine")
    assert [s.tool for s in steps if isinstance(s, Choice)] == ["change_production"]
    assert [s.tool for s in waiting(steps)] == ["change_production_order"]


async def test_a_model_that_claims_in_words_to_have_placed_the_order_is_made_to_choose(sim, tmp_path):
    due = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    model = script("The order has been accepted.",
                   [call("configure_order_accept", product="HX-200", colour="green", options=["uv_stabilised"],
                         quantity=600, due=due)])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", f"ok, we take it: 600 green housings with UV protection for {due}")
    assert [s.tool for s in waiting(steps)] == ["create_production_order"]
    assert "has been accepted" not in steps[-1].text
