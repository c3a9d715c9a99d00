"""Machines named in words, read by code from either plant file, and what the model filled corrected by them
(copilot/understanding/machines.py, copilot/procedures/grounding.py)."""

from __future__ import annotations

import pytest

from connectors.plant import load_plant
from connectors.site import DEMO_SITE
from copilot.procedures.grounding import checked
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.understanding.machines import lines_named, machines_named
from tools.registry import TOOLS

RIVERSIDE = load_plant(DEMO_SITE / "plant.yaml")
DYEHOUSE = load_plant(DEMO_SITE.parent / "dyehouse" / "plant.yaml")
SHIPPED = Procedures.load(CopilotSettings().procedures_file, TOOLS)


@pytest.mark.parametrize(("text", "machines"), [
    ("hp102's weeping oil round the ram", ["HP-102"]),
    ("P 101 is shaking", ["P-101"]),
    ("the moulder keeps short-shotting", ["IM-103"]),
    ("the moulding machine keeps short-shotting", ["IM-103"]),
    ("take the L2 oven up to 185", ["OV-201"]),
    ("a spare belt for the outfeed", ["CV-203"]),
    ("the Thermacure runs hot", ["OV-201"]),
    ("the trim press", ["HP-102"]),
    ("the pressure's low on the pump", ["P-101"]),
    ("the conveyor on line 2 and the pump", ["P-101", "CV-203"]),
    ("line 1's scrap is up", []),
    ("the filling line is slow", []),
    ("how are we doing today?", []),
    ("the barrel temp keeps climbing", ["IM-103"]),  # the one machine with an alarmed barrel temperature
    ("a heater band for the barrel", []),  # a part's word names no reading
    ("the zone temperature on line 1", []),  # the oven that reads it is on line 2
])
def test_riverside_machines_are_named_by_id_head_word_other_words_and_line(text: str, machines: list[str]) -> None:
    assert machines_named(text, RIVERSIDE) == machines


@pytest.mark.parametrize(("text", "machines"), [
    ("the jet dyer is running hot", ["JD-102"]),
    ("the dyeing machine", ["JD-102"]),
    ("the stenter's chains", ["ST-202"]),
    ("the water pump on D1", ["WP-101"]),
    ("the finishing line is down", []),
    ("shade on the navy batch is way off, what's causing it?", ["JD-102"]),  # only the dyer reads the shade
    ("the residual moisture is too high", ["ST-202"]),
    ("the vibration is up", []),  # every machine reads vibration
])
def test_dyehouse_machines_are_named_the_same_way(text: str, machines: list[str]) -> None:
    assert machines_named(text, DYEHOUSE) == machines


def test_lines_are_named_by_id_number_or_the_word_before_line() -> None:
    assert lines_named("the L2 oven", RIVERSIDE) == {"L2"}
    assert lines_named("on line 1", RIVERSIDE) == {"L1"}
    assert lines_named("the filling line", RIVERSIDE) == {"L2"}
    assert lines_named("the finishing line", DYEHOUSE) == {"F1"}
    assert lines_named("the pump", RIVERSIDE) == set()


@pytest.mark.parametrize(("text", "line"), [
    ("l'OF qui tourne sur la ligne 2", "L2"), ("auf Linie 1", "L1"), ("en la línea 2", "L2"), ("sulla linea 1", "L1"),
    ("na linha 2", "L2"), ("op lijn 2", "L2"), ("na linii 2", "L2"), ("linka č. 2", "L2"), ("2. hatta", "L2"),
    ("hat 1'deki", "L1"),
])
def test_a_line_is_named_by_its_number_in_ten_languages(text: str, line: str) -> None:
    assert lines_named(text, RIVERSIDE) == {line}
    assert lines_named("we need 2 hats", RIVERSIDE) == set()


@pytest.mark.parametrize(("text", "dyehouse", "riverside"), [
    ("Welke machine op de afwerklijn geeft nu de meeste uitval?", {"F1"}, {"L2"}),
    ("quelle machine de la ligne de finition rejette le plus ?", {"F1"}, {"L2"}),
    ("die Färbelinie steht", {"D1"}, set()), ("en la línea de llenado", set(), {"L2"}),
    ("na linii wtryskowej", set(), {"L1"}), ("boyama hattında", {"D1"}, set()),
    ("la finition du tissu", set(), set()),  # no line said: the word is no line's
])
def test_a_line_is_named_by_what_it_does_in_another_language(text: str, dyehouse: set, riverside: set) -> None:
    assert (lines_named(text, DYEHOUSE), lines_named(text, RIVERSIDE)) == (dyehouse, riverside)


def test_a_machine_the_request_does_not_name_is_the_one_it_names() -> None:
    report = SHIPPED.get("report_to_maintenance")
    slots, stop, _ = checked("the moulder keeps short-shotting, get a fitter to check the check ring", report,
                             {"machine": "HP-102", "symptom": "short shots"}, RIVERSIDE)
    assert (slots["machine"], stop) == ("IM-103", None)


@pytest.mark.parametrize(("lang", "text", "plant", "machines"), [
    ("fr", "Le four, il est bien à sa consigne là ?", RIVERSIDE, ["OV-201"]),
    ("fr", "la presse à injecter fait des bavures", RIVERSIDE, ["IM-103"]),  # the moulder, not the press
    ("fr", "la presse fait du bruit", RIVERSIDE, ["HP-102"]),
    ("de", "Die Kühlwasserpumpe klingt komisch", RIVERSIDE, ["P-101"]),  # a compound
    ("de", "die Färbemaschine läuft zu heiß", DYEHOUSE, ["JD-102"]),
    ("es", "el horno está demasiado caliente", RIVERSIDE, ["OV-201"]),
    ("es", "la bomba de agua hace ruido", DYEHOUSE, ["WP-101"]),
    ("it", "il nastro si è fermato", RIVERSIDE, ["CV-203"]),
    ("pt", "a rama está parada", DYEHOUSE, ["ST-202"]),
    ("nl", "de spanraam staat stil", DYEHOUSE, ["ST-202"]),
    ("pl", "piec jest za gorący", RIVERSIDE, ["OV-201"]),
    ("cs", "Co je s tím čerpadlem chladicí vody?", RIVERSIDE, ["P-101"]),
    ("tr", "Fırın sıcaklığı nedir?", RIVERSIDE, ["OV-201"]),
    ("en", "the four of us checked it", RIVERSIDE, []),  # "four" is the oven in French only
])
def test_a_machine_is_named_by_its_kind_in_the_requests_language(lang, text, plant, machines) -> None:
    assert machines_named(text, plant, lang=lang) == machines


def test_a_machine_the_model_guessed_is_the_one_named_in_another_language() -> None:
    status = SHIPPED.get("machine_status_and_diagnosis")
    slots, _, _ = checked("Le four, il est bien à sa consigne là ?", status, {"machine": "FL-202"}, RIVERSIDE,
                          lang="fr", english="The four is running at its setpoint.")
    assert slots["machine"] == "OV-201"
    slots, _, _ = checked("Le four tient sa consigne ?", status, {"machine": "CV-203"}, RIVERSIDE, lang="fr",
                          english="Is the conveyor belt holding its setpoint?")  # the operator's words first
    assert slots["machine"] == "OV-201"


def test_a_machine_is_kept_where_the_request_names_it_or_names_several_or_none() -> None:
    report = SHIPPED.get("report_to_maintenance")
    for request, machine in [("the press on HP-102 leaks", "HP-102"), ("the pump and the press both leak", "HP-102"),
                             ("it leaks again", "HP-102")]:
        slots, _, _ = checked(request, report, {"machine": machine, "symptom": "leak"}, RIVERSIDE)
        assert slots["machine"] == machine, request


def test_the_bearings_for_a_machine_are_the_bearing_in_its_bill_of_materials() -> None:
    order = SHIPPED.get("order_part")
    slots, _, question = checked("get 4 of the bearings for the trim press on order, cheapest", order,
                                 {"part": "BRG-6205", "quantity": 4, "preference": "price"}, RIVERSIDE)
    assert (slots["part"], question) == ("BRG-6308", None)
    slots, _, question = checked("get 4 bearings on order, cheapest", order,
                                 {"part": "BRG-6205", "quantity": 4, "preference": "price"}, RIVERSIDE)
    assert question is not None and "BRG-6205" in question and "BRG-6308" in question
    slots, _, question = checked("two bearings for the stenter", order,
                                 {"part": "BRG-6306", "quantity": 2}, DYEHOUSE)
    assert (slots["part"], question) == ("BRG-6310", None)


def test_the_words_of_a_products_option_name_no_machine() -> None:
    assert machines_named("the water-repellent navy order, make it eighteen thousand metres", DYEHOUSE) == []
    assert machines_named("the water pump is leaking", DYEHOUSE) == ["WP-101"]
