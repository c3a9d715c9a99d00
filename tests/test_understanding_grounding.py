"""The model's setpoint changes read against the request's own phrasing, on the demo plant: a wrong fill is
corrected, or asked back with one question (copilot/procedures/grounding.py, copilot/understanding/changes.py)."""

from __future__ import annotations

from connectors.plant import load_plant
from connectors.plm import configurable
from connectors.plm_file import load_plm
from connectors.site import DEMO_SITE, PLANTS
from copilot.procedures.grounding import checked
from copilot.procedures.run import RunState, start
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from tools.registry import TOOLS

PLANT = load_plant(DEMO_SITE / "plant.yaml")
SHIPPED = Procedures.load(CopilotSettings().procedures_file, TOOLS)
CHANGE = SHIPPED.get("change_setpoints")


def _change(tag: str | None, to: float | None = None, by: float | None = None, percent: float | None = None) -> dict:
    return {"tag": tag, "to": to, "by": by, "percent": percent}


def _checked(request: str, machine: str, *changes: dict, lang: str = "en", english: str | None = None):
    return checked(request, CHANGE, {"machine": machine, "changes": list(changes)}, PLANT, lang=lang,
                   english=english)


def test_up_to_is_to_and_up_by_is_by_whatever_the_model_wrote() -> None:
    slots, stop, question = _checked("take OV-201 up to 175", "OV-201", _change("temp_setpoint", by=175))
    assert (stop, question) == (None, None)
    assert slots["changes"] == [_change("temp_setpoint", to=175)]
    slots, _, _ = _checked("OV-201 up by 5", "OV-201", _change("temp_setpoint", to=5))
    assert slots["changes"] == [_change("temp_setpoint", by=5)]
    slots, _, _ = _checked("the oven 10 less", "OV-201", _change("temp_setpoint", by=10))
    assert slots["changes"] == [_change("temp_setpoint", by=-10)]


def test_double_and_halve_are_percentages() -> None:
    slots, _, _ = _checked("double the conveyor speed on CV-203", "CV-203", _change("speed_setpoint", by=2))
    assert slots["changes"] == [_change("speed_setpoint", percent=100)]
    slots, _, _ = _checked("halve CV-203's speed", "CV-203", _change("speed_setpoint", to=12))
    assert slots["changes"] == [_change("speed_setpoint", percent=-50)]


def test_fahrenheit_is_converted_when_exact_absolute_and_relative() -> None:
    slots, _, question = _checked("set the oven to 347 °F", "OV-201", _change("temp_setpoint", to=347))
    assert question is None and slots["changes"] == [_change("temp_setpoint", to=175)]
    slots, _, question = _checked("raise OV-201 by 9 °F", "OV-201", _change("temp_setpoint", by=9))
    assert question is None and slots["changes"] == [_change("temp_setpoint", by=5)]
    slots, _, question = _checked("fill FL-202 to 0.502 l", "FL-202", _change("fill_setpoint", to=0.502))
    assert question is None and slots["changes"] == [_change("fill_setpoint", to=502)]
    # a number the words do not place converts as the model read it: a step by the factor alone
    slots, _, question = _checked("OV-201: 18 °F, the rejects are too many", "OV-201", _change("temp_setpoint", by=-18))
    assert question is None and slots["changes"] == [_change("temp_setpoint", by=-10)]


def test_a_value_that_does_not_convert_exactly_is_asked_back_never_taken_as_the_tags_unit() -> None:
    _, stop, question = _checked("set the oven to 350 °F", "OV-201", _change("temp_setpoint", to=350))
    assert stop is None
    assert question == ('"350 °F" is 176.667 °C, and OV-201 temperature setpoint takes steps of 1 °C: '
                        "should it be 177 °C?")
    _, _, question = _checked("HP-102 pressure to 2900 psi", "HP-102", _change("pressure_setpoint", to=2900))
    assert question.startswith('"2900 psi" is 199.948 bar') and question.endswith("should it be 200 bar?")


def test_an_incompatible_or_unknown_unit_is_asked_back() -> None:
    _, _, question = _checked("HP-102 pressure up by 10 °F", "HP-102", _change("pressure_setpoint", by=10))
    assert question == ('HP-102 pressure setpoint is set in bar, and "10 °F" does not convert to bar. '
                        "What value in bar do you mean?")
    _, _, question = _checked("set the oven to 175 °Ré", "OV-201", _change("temp_setpoint", to=175))
    assert question == ('I do not know the unit of "175 °Ré"; OV-201 temperature setpoint is set in °C. '
                        "What value in °C do you mean?")
    _, _, question = _checked("run the pump at 50 %", "P-101", _change("speed_setpoint", to=50))
    assert "does not convert to rpm" in question


def test_the_question_asks_the_run_back_before_anything_is_read() -> None:
    run = start(CHANGE, "set the oven to 350 °F", {"machine": "OV-201", "changes": [_change("temp_setpoint", to=350)]},
                "en", PLANT)
    assert run.outcome is RunState.asking and "177 °C" in run.reason and run.step == 0


def test_several_changes_follow_the_order_of_mention() -> None:
    slots, _, _ = _checked("IM-103: barrel up by 5 and hold pressure to 600", "IM-103",
                           _change("barrel_temp_setpoint"), _change("hold_pressure_setpoint"))
    assert slots["changes"] == [_change("barrel_temp_setpoint", by=5), _change("hold_pressure_setpoint", to=600)]
    slots, _, _ = _checked("on HP-102, drop the pressure by 10 bar and the strokes to 10", "HP-102",
                           _change("pressure_setpoint", to=10), _change("stroke_rate_setpoint", by=-10))
    assert slots["changes"] == [_change("pressure_setpoint", by=-10), _change("stroke_rate_setpoint", to=10)]


def test_the_request_in_its_own_language_comes_before_its_restatement() -> None:
    slots, _, _ = _checked("Stell den Ofen OV-201 auf hundertfünfundsiebzig", "OV-201",
                           _change("temp_setpoint", by=175), lang="de", english="Raise the oven OV-201 by 175")
    assert slots["changes"] == [_change("temp_setpoint", to=175)]
    slots, _, _ = _checked("Fırın OV-201 sıcaklığını 5 derece düşür", "OV-201", _change("temp_setpoint", to=5),
                           lang="tr", english="Lower the oven OV-201 temperature by 5 degrees")
    assert slots["changes"] == [_change("temp_setpoint", by=-5)]
    slots, _, _ = _checked("Zvyš rychlost dopravníku CV-203 o deset procent", "CV-203",
                           _change("speed_setpoint", by=10), lang="cs")
    assert slots["changes"] == [_change("speed_setpoint", percent=10)]


def test_a_quantity_in_words_is_a_quantity_and_some_is_none() -> None:
    order = SHIPPED.get("order_part")
    slots, _, _ = checked("order a dozen of the 6205 bearings", order, {"part": "BRG-6205", "quantity": 12}, PLANT)
    assert slots["quantity"] == 12
    slots, _, _ = checked("get a couple of 6205 bearings", order, {"part": "BRG-6205", "quantity": 2}, PLANT)
    assert slots["quantity"] == 2
    slots, _, _ = checked("get some 6205 bearings", order, {"part": "BRG-6205", "quantity": 2}, PLANT)
    assert "quantity" not in slots
    slots, _, _ = checked("zamów trzysta łożysk 6205", order, {"part": "BRG-6205", "quantity": 300}, PLANT, lang="pl")
    assert slots["quantity"] == 300


def test_a_unit_that_fits_one_setpoint_of_the_machine_names_it() -> None:
    slots, _, question = _checked("La llenadora FL-202 va demasiado rápido, bájale 10 botellas por minuto.", "FL-202",
                                  _change("fill_setpoint", by=-10), lang="es")
    assert question is None and slots["changes"] == [_change("speed_setpoint", by=-10)]
    slots, _, question = _checked("IM-103 up 9 °F", "IM-103", _change(None, by=9))
    assert question is None and slots["changes"] == [_change("barrel_temp_setpoint", by=5)]


def test_the_reply_to_the_question_settles_it() -> None:
    asked = ('set the oven to 350 °F\n(I asked: "350 °F" is 176.667 °C, and OV-201 temperature setpoint takes '
             "steps of 1 °C: should it be 177 °C?)\n")
    slots, _, question = _checked(asked + "yes", "OV-201", _change("temp_setpoint", to=177))
    assert question is None and slots["changes"] == [_change("temp_setpoint", to=177)]
    slots, _, question = _checked(asked + "no, 175", "OV-201", _change("temp_setpoint", to=175))
    assert question is None and slots["changes"] == [_change("temp_setpoint", to=175)]


def test_a_language_the_parsers_do_not_read_is_read_from_its_restatement() -> None:
    slots, _, _ = _checked("Sänk ugnen OV-201 till 175 grader", "OV-201", _change("temp_setpoint", by=-175), lang="sv",
                           english="Lower the oven OV-201 to 175 degrees")
    assert slots["changes"] == [_change("temp_setpoint", to=175)]


def test_a_quantity_is_kept_when_the_language_was_told_wrong() -> None:
    order = SHIPPED.get("order_part")
    slots, _, _ = checked("Bestell 1.000 Lager 6205", order, {"part": "BRG-6205", "quantity": 1000}, PLANT, lang="en")
    assert slots["quantity"] == 1000


def test_a_variant_the_request_does_not_type_describes_the_order_by_its_colour_and_options() -> None:
    production = SHIPPED.get("change_production")
    slots, stop, question = checked("customer's cut the blue UV job to 600", production,
                                    {"variant": "HX-200-BLU-UV", "quantity": 600}, PLANT)
    assert (stop, question) == (None, None)
    assert slots == {"quantity": 600, "colour": "blue", "options": ["uv_stabilised"]}
    slots, _, _ = checked("put 300 more on the grey job", production, {"variant": "HX-200-BLU-UV", "added": 300}, PLANT)
    assert slots == {"added": 300}  # the request says another colour: the model's variant was a guess
    slots, _, _ = checked("the blue UV job to 600", production,
                          {"variant": "HX-200-BLU-UV", "colour": "blue", "quantity": 600}, PLANT)
    assert slots == {"colour": "blue", "quantity": 600}  # the model's own description stands


def test_a_line_or_product_the_request_does_not_name_is_dropped() -> None:
    production = SHIPPED.get("change_production")
    slots, _, _ = checked("put three hundred more on the blue UV job", production,
                          {"line": "L2", "product": "CL-500", "variant": "HX-200-BLU-UV", "added": 300}, PLANT)
    assert slots == {"added": 300, "colour": "blue", "options": ["uv_stabilised"]}
    slots, _, _ = checked("the running order on line 2 should stop at 9000", production,
                          {"line": "L2", "quantity": 9000}, PLANT)
    assert slots == {"line": "L2", "quantity": 9000}
    slots, _, _ = checked("add 400 to the grey housing order", production,
                          {"product": "HX-200", "colour": "grey", "added": 400}, PLANT)
    assert slots == {"product": "HX-200", "colour": "grey", "added": 400}
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    slots, _, _ = checked("the olive one, make it 14000", production,
                          {"line": "F1", "product": "TW-240", "colour": "olive", "quantity": 14000}, dyehouse,
                          earlier="what's planned on the finishing line?\n- PO-F1-0209: TW-240F-OLIVE-EC, planned")
    assert slots == {"line": "F1", "colour": "olive", "quantity": 14000}  # TW-240F's id names no TW-240


def test_a_count_is_a_new_total_or_a_change_as_the_request_phrases_it_whichever_slot_the_model_filled() -> None:
    production = SHIPPED.get("change_production")
    cases = [
        ("make the blue UV job 1000", {"added": 1000}, {"quantity": 1000}),
        ("change PO-L1-0043 to 1000", {"order": "PO-L1-0043", "added": 1000},
         {"order": "PO-L1-0043", "quantity": 1000}),
        ("add 400 pieces to the grey housing order", {"quantity": 400}, {"added": 400}),
        ("take 200 off the red order", {"quantity": 200}, {"added": -200}),
        ("make it 200 fewer", {"added": 200}, {"added": -200}),
        ("three hundred more on the grey one", {"quantity": 300}, {"added": 300}),
        ("mach den Auftrag 1000 Stück", {"added": 1000}, {"quantity": 1000}),
        # phrased neither way: the model's reading stands
        ("the running L2 order should stop at 9000", {"line": "L2", "quantity": 9000},
         {"line": "L2", "quantity": 9000}),
    ]
    for request, filled, expected in cases:
        lang = "de" if "Auftrag" in request else "en"
        slots, stop, question = checked(request, production, filled, PLANT, lang=lang)
        assert (stop, question) == (None, None), request
        assert {k: v for k, v in slots.items() if k not in ("colour", "options")} == expected, request


def test_an_option_the_request_takes_off_is_taken_off_whatever_the_model_filled() -> None:
    production = SHIPPED.get("change_production")
    request = "the red run queued after the current one on line 2, drop the tamper-evident cap off it. same quantity"
    slots, stop, question = checked(request, production, {"line": "L2", "variant": "CL-500-RED-TE"}, PLANT)
    assert (stop, question) == (None, None)
    assert slots == {"line": "L2", "colour": "red", "options": ["long_life"], "without": ["tamper_evident_cap"]}
    slots, _, _ = checked("no UV on the blue job", production,
                          {"colour": "blue", "options": ["uv_stabilised"]}, PLANT)
    assert slots == {"colour": "blue", "options": [], "without": ["uv_stabilised"]}
    slots, _, _ = checked("the blue UV job, no change to quantity", production,
                          {"colour": "blue", "options": ["uv_stabilised"], "without": ["uv_stabilised"]}, PLANT)
    assert slots == {"colour": "blue", "options": ["uv_stabilised"]}  # nothing is taken off: the model's guess goes
    slots, _, _ = checked("den roten Auftrag ohne Manipulationsschutz", production, {"colour": "red"}, PLANT,
                          lang="de", english="the red order without the tamper-evident cap")
    assert slots == {"colour": "red", "without": ["tamper_evident_cap"]}
    slots, _, _ = checked("the blue UV job: drop the UV, customer changed their mind", production,
                          {"colour": "blue", "options": ["uv_stabilised"]}, PLANT)  # a colon ends a clause
    assert slots == {"colour": "blue", "options": [], "without": ["uv_stabilised"]}


def test_a_part_the_request_does_not_name_is_not_the_models_guess() -> None:
    stock = SHIPPED.get("inventory_check")
    slots, stop, question = checked("have we run out of any spares for the oven?", stock,
                                    {"part": "HYD-SEAL-KIT-250", "machine": None, "low": None}, PLANT)
    assert (stop, question) == (None, None)
    assert slots == {"machine": "OV-201", "low": None}  # the oven's parts, not a seal kit of the press
    order = SHIPPED.get("order_part")
    _, _, question = checked("order a spare for the oven, cheapest", order, {"part": "HYD-SEAL-KIT-250"}, PLANT)
    assert question == ("Which part of OV-201: TC-K-150 (Thermocouple type K, 150 mm probe); FAN-MTR-TC6 "
                        "(Recirculation fan motor 2.2 kW for TC-6); HTR-ELEM-TC6 (Heating element 3 kW for TC-6)?")
    slots, _, question = checked("the same for the conveyor", order, {"part": "BRG-6308", "quantity": 2}, PLANT,
                                 repeated="order 2 bearings for the press")
    assert (slots["part"], question) == ("BRG-6205", None)  # the bearing of the machine this request names


def test_a_part_of_it_is_of_the_machine_the_conversation_is_about() -> None:
    maintenance = SHIPPED.get("report_to_maintenance")
    slots, stop, question = checked("right, get someone out to it and order the bearings it needs, whoever's quickest",
                                    maintenance, {"machine": "P-101", "order_spare_parts": True, "part": "BRG-6308"},
                                    PLANT, earlier="cooling pump's shaking like mad, what's going on with it?")
    assert (slots["part"], stop, question) == ("BRG-6205", None, None)  # P-101's bearing, not the press's


_NEXT = ("what's lined up on line 1 after the grey housings?\n\n- Next on L1: PO-L1-0043, HX-200-BLU-UV, 0 of 800 "
         "made (planned)")
_QUEUE = ("what's on line 1?\n\n- Production orders: PO-L1-0042 on L1: HX-200 HX-200-GRY, 1130 of 2400 made (in "
          "progress); PO-L1-0043 on L1: HX-200 HX-200-BLU-UV, 0 of 800 made (planned)")


def test_an_order_the_request_names_none_of_is_the_one_the_conversation_named_last() -> None:
    change = SHIPPED.get("change_production")
    guessed = {"order": "PO-L1-0042", "colour": "grey", "quantity": 1000}  # from the earlier request's words
    slots, stop, question = checked("make that order 1000", change, dict(guessed), PLANT, earlier=_NEXT)
    assert (slots, stop, question) == ({"order": "PO-L1-0043", "quantity": 1000}, None, None)
    slots, _, _ = checked("make it blue", change, {"order": "PO-L1-0042", "colour": "blue"}, PLANT, earlier=_NEXT)
    assert slots == {"order": "PO-L1-0043", "colour": "blue"}  # the colour said is the change
    described = {"colour": "grey", "quantity": 3000}
    slots, _, _ = checked("the grey job to 3000", change, dict(described), PLANT, earlier=_NEXT)
    assert slots == described  # the request describes its own order
    slots, _, _ = checked("make that order 1000", change, dict(guessed), PLANT, earlier=_QUEUE)
    assert slots == guessed  # the last answer named two: not decided here, the procedure checks the model's
    slots, _, _ = checked("make that order 1000", change, dict(guessed), PLANT)
    assert slots == {"colour": "grey", "quantity": 1000}  # nothing named before: no order typed, none guessed
    history = SHIPPED.get("sign_off_history_lookup")
    slots, _, _ = checked("who approved the change on the oven?", history, {"machine": "OV-201"}, PLANT,
                          earlier=_NEXT)
    assert "order" not in slots  # a machine's record, not the order talked about


def test_a_line_the_operator_names_in_their_language_outweighs_the_restatement() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    comparison = SHIPPED.get("line_quality_comparison")
    slots, _, _ = checked("Welke machine op de afwerklijn geeft nu de meeste uitval?", comparison, {"line": "D1"},
                          dyehouse, lang="nl", english="Which machine on the dyeing line has the most rejects now?")
    assert slots == {"line": "F1"}


def test_a_machine_the_request_never_names_is_asked_for_where_it_names_only_a_line() -> None:
    diagnosis = SHIPPED.get("machine_status_and_diagnosis")
    slots, _, _ = checked("line 2's rejects are up since the break, which machine and why?", diagnosis,
                          {"machine": "FL-202", "symptom": "rejects"}, PLANT)
    assert "machine" not in slots  # the model's guess among the line's machines; the run asks which
    slots, _, _ = checked("the filler on line 2 is leaking", diagnosis, {"machine": "FL-202"}, PLANT)
    assert slots["machine"] == "FL-202"
    slots, _, _ = checked("it's leaking again on line 2", diagnosis, {"machine": "FL-202"}, PLANT,
                          earlier="how is the bottle filler doing?")
    assert slots["machine"] == "FL-202"  # the conversation named it


def test_a_due_day_the_model_left_out_is_the_day_the_request_names() -> None:
    check = SHIPPED.get("configure_order_check")
    slots, _, _ = checked("Stihneme do pátku 2000 šedých krytů čerpadla HX-200?", check,
                          {"product": "HX-200", "colour": "grey", "quantity": 2000}, PLANT, lang="cs")
    assert slots["due"] == "pátku"
    slots, _, _ = checked("can we make 2000 grey housings?", check,
                          {"product": "HX-200", "colour": "grey", "quantity": 2000}, PLANT)
    assert "due" not in slots  # no day said: the check asks for it


def test_a_product_that_comes_neither_in_the_colour_nor_the_options_asked_is_the_one_that_does() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    offered = configurable(dyehouse, load_plm(PLANTS / "dyehouse" / "plm.yaml", dyehouse).products)
    check = SHIPPED.get("configure_order_check")
    request = "O cliente quer 800 kg de sarja cor areia em tom profundo até sexta. Dá para fazer?"
    filled = {"product": "JS-180", "colour": "sand", "options": ["deep_shade"], "quantity": 800, "due": "sexta"}
    slots, _, _ = checked(request, check, dict(filled), offered, lang="pt",
                          english="The customer wants 800 kg of cotton in sand with a deep shade by Friday.")
    assert slots["product"] == "TW-240"  # the jersey comes in no sand; "cotton" names every product
    slots, _, _ = checked("800 kg of jersey in sand with a deep shade by Friday?", check, dict(filled), offered)
    assert slots["product"] == "JS-180"  # named: the check says it comes in no sand
    slots, _, _ = checked("800 kg in teal by Friday?", check, {**filled, "colour": "teal", "options": []}, offered)
    assert slots["product"] == "JS-180"  # it fits what was asked


def test_a_reading_named_for_a_change_stands_where_the_model_took_the_setpoint_that_drives_it() -> None:
    slots, stop, _ = _checked("filler speed up 10 and the fill 2 ml less", "FL-202",
                              _change("speed_setpoint", by=10), _change("fill_setpoint", by=-2))
    assert stop is None and [c["tag"] for c in slots["changes"]] == ["speed_setpoint", "fill_setpoint"]


def test_the_same_asked_of_another_machine_is_its_setpoint_in_the_same_unit() -> None:
    slots, _, _ = checked("now do the same on the press", CHANGE,
                          {"machine": "OV-201", "changes": [_change("temp_setpoint"), _change("stroke_rate_setpoint")]},
                          PLANT, repeated="knock 10 bar off the pump")
    assert slots == {"machine": "HP-102", "changes": [_change("pressure_setpoint", by=-10.0)]}  # the press's bar


def test_a_length_in_another_unit_is_converted_to_the_tags() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    slots, _, question = checked("set the stenter width to 1610 mm, customer's spec", CHANGE,
                                 {"machine": "ST-202", "changes": [_change("width_setpoint", to=1610)]}, dyehouse)
    assert question is None and slots["changes"] == [_change("width_setpoint", to=161.0)]  # never 1610 cm


def test_an_order_named_by_colour_on_a_machine_is_of_that_machines_line_in_the_unit_said() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    production = SHIPPED.get("change_production")
    slots, _, _ = checked("bring the olive on the jet dyer down to 3.5 tonnes", production,
                          {"colour": "olive", "quantity": 3500}, dyehouse)
    assert slots == {"colour": "olive", "quantity": 3500, "line": "D1"}  # the dyer's line; 3.5 t is 3500 kg
    slots, _, _ = checked("bring the olive on the jet dyer down to 3.5 tonnes", production,
                          {"colour": "olive", "quantity": 3}, dyehouse)
    assert slots["quantity"] == 3500  # 3 is no amount the request says: the one it says, in the dyer's kg


def test_a_part_asked_for_with_an_indefinite_article_is_one() -> None:
    order = SHIPPED.get("order_part")
    slots, _, _ = checked("order a new fan motor for the oven, fastest delivery", order,
                          {"part": "FAN-MTR-TC6", "quantity": 1}, PLANT)
    assert slots["quantity"] == 1
    slots, _, _ = checked("Bestell eine neue Dichtung für die Pumpe", order, {"part": "SEAL-M25", "quantity": 1},
                          PLANT, lang="de")
    assert slots["quantity"] == 1
    slots, _, _ = checked("order some fan motors for the oven", order, {"part": "FAN-MTR-TC6", "quantity": 1}, PLANT)
    assert "quantity" not in slots  # "some" is no count: the reorder quantity decides


def test_a_change_that_names_no_setpoint_is_for_the_quantity_the_request_or_the_one_before_means() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    change = SHIPPED.get("change_setpoints")
    slots, _, _ = checked("take it down 5 then", change, {"machine": "ST-202", "changes": [
        {"tag": "speed_setpoint", "by": -5}]}, dyehouse, before="how hot's the stenter running?")
    assert slots["changes"] == [{"tag": "temp_setpoint", "to": None, "by": -5, "percent": None}]
    slots, _, _ = checked("the stenter's running a bit cold, up 5", change, {"machine": "ST-202", "changes": [
        {"tag": "width_setpoint", "by": 5}]}, dyehouse)
    assert slots["changes"][0]["tag"] == "temp_setpoint"
    slots, _, _ = checked("stenter speed down 5", change, {"machine": "ST-202", "changes": [
        {"tag": "speed_setpoint", "by": -5}]}, dyehouse, before="how hot's the stenter running?")
    assert slots["changes"][0]["tag"] == "speed_setpoint"  # it names its setpoint
