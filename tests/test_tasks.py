"""A request of several tasks: told apart by the model, each task chosen, gated and answered on its own, none
dropped; code decides when to ask and keeps the tasks to the request's numbers and ids."""

from __future__ import annotations

import pytest
from agent_helpers import ask, call, copilot_on, results, script, user, waiting

from connectors.plant import load_plant
from connectors.site import PLANTS
from copilot.procedures.tasks import may_hold_several, one_machine_each, tasks_of, with_subject


def test_a_request_joining_clauses_may_hold_several_tasks_in_its_language():
    assert may_hold_several("take the barrel down 5 and get maintenance to check the controller", "en")
    assert may_hold_several("order two seal kits; six filters too", "en")
    assert may_hold_several("Baisse la cadence de 2 coups/min et fais un bon de travail", "fr")
    assert may_hold_several("Leg einen Auftrag an und bestell zwei Filter", "de")
    assert may_hold_several("Pompanın hızını düşür ve bakım emri aç", "tr")
    assert not may_hold_several("set the oven to 170", "en")
    assert not may_hold_several("grab a spare belt", "en")  # "a" joins clauses in Czech, not in English
    assert not may_hold_several("what's the oven at and is it ok?", "en")  # a question asks, it orders nothing


def test_the_tasks_keep_to_the_requests_numbers_and_ids():
    request, digits = "order two seal kits and six filters for the press", "order 2 seal kits and 6 filters"
    assert tasks_of("1. order two seal kits for the press\n2. order six filters for the press", request, digits) == [
        "order two seal kits for the press", "order six filters for the press"]
    assert tasks_of("order 2 seal kits\norder 6 filters", request, digits) == ["order 2 seal kits", "order 6 filters"]
    assert tasks_of("- order 2 seal kits for HP-102\n- order 6 filters", request, digits) == [request]  # an id added
    assert tasks_of("order 20 seal kits\norder 6 filters", request, digits) == [request]  # a number added
    assert tasks_of("order two seal kits and six filters", request, digits) == [request]  # one task
    assert tasks_of("lower the press pressure by two bar\norder six filters", request, digits) == [request]  # an
    # example's words, not the request's
    assert len(tasks_of("order\ntwo\nseal\nkits\nfilters", request)) == 3  # at most three


@pytest.mark.parametrize("written", [
    "stop the padder, get a fitter to it\nget a fitter to the padder, the bearings are going",
    "get a fitter to the padder, the bearings are going\nstop the padder, get a fitter to it",
])
def test_a_clause_two_tasks_hold_is_the_one_that_says_more_of_it(written):
    request = "stop the padder and get a fitter to it, the bearings are going"
    assert sorted(tasks_of(written, request)) == ["get a fitter to the padder, the bearings are going",
                                                  "stop the padder"]
    shared = "order three belts for the conveyor, cheapest\norder two rollers for the conveyor, cheapest"
    assert tasks_of(shared, "order three belts and two rollers for the conveyor, cheapest") == shared.split("\n")


def test_tasks_written_on_one_line_with_a_comma_where_the_request_joins_them_are_its_clauses():
    request = "drop the press 10 bar and have someone look at the cylinder"
    assert tasks_of("drop the press 10 bar, have someone look at the cylinder", request) == [
        "drop the press 10 bar", "have someone look at the cylinder"]
    assert tasks_of("have someone look at the cylinder, drop the press 10 bar", request) == [
        "drop the press 10 bar", "have someone look at the cylinder"]  # in either order
    german = "Ofen 5 Grad runter und den Füller auf 495 ml"
    assert tasks_of("Ofen 5 Grad runter, den Füller auf 495 ml", german, lang="de") == [
        "Ofen 5 Grad runter", "den Füller auf 495 ml"]
    assert tasks_of(request, request) == [request]  # written as asked: one task
    assert tasks_of("drop the press 10 bar, look at it", request) == [request]  # not the request's clauses


def test_a_task_that_asks_something_of_several_machines_in_clauses_of_their_own_is_split_by_machine():
    plant = load_plant(PLANTS / "riverside" / "plant.yaml")
    assert one_machine_each(["pump down 100 rpm, oven up 5", "log a check on the filler"], plant) == [
        "pump down 100 rpm", "oven up 5", "log a check on the filler"]
    assert one_machine_each(["Presse 10 bar runter und den Ofen auf 185"], plant, "de") == [
        "Presse 10 bar runter", "den Ofen auf 185"]
    assert one_machine_each(["the pump and the press both leak"], plant) == [
        "the pump and the press both leak"]  # "the pump" asks nothing of its own
    assert one_machine_each(["set the filler to 495 ml and 80 bottles a minute"], plant) == [
        "set the filler to 495 ml and 80 bottles a minute"]  # one machine
    several = ["pump down 100 rpm, oven up 5, press down 10 bar", "log a check on the filler"]
    assert one_machine_each(several, plant) == several  # four tasks are more than are carried out: none dropped


async def test_each_task_is_carried_out_and_a_denied_second_change_leaves_the_first_done(sim, tmp_path):
    request = "P-101 is shaking, get maintenance on it, and take the oven up 15 degrees"
    model = script("get maintenance on P-101, it is shaking\ntake the oven up 15 degrees",
                   [call("report_to_maintenance", machine="P-101", symptom="vibration")],
                   [call("change_setpoints", machine="OV-201", changes=[{"tag": "temp_setpoint", "by": 15}])])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", request)
        assert [s.status for s in results(steps, "create_work_order")] == ["done"]
        assert [s.status for s in results(steps, "write_setpoint")] == ["denied"]
        answers = [s for s in steps if s.kind == "answer"]
        assert len(answers) == 1  # one answer, saying what became of each task
        first, second = answers[0].text.split("\n\n")
        assert first.startswith("get maintenance on P-101, it is shaking:") and "P-101" in first
        assert second.startswith("take the oven up 15 degrees:")
        assert "Refused: OV-201 temperature setpoint 180 → 195 °C" in second and "maximum step of 10 degC" in second
        assert (await copilot.rt.deps.plc.read("OV-201", "temp_setpoint")).value == 180
        [told] = [s for s in steps if s.kind == "choice" and s.tool == "tasks"]
        assert told.arguments["tasks"] == ["get maintenance on P-101, it is shaking", "take the oven up 15 degrees"]


async def test_a_task_waiting_for_sign_off_holds_the_next_until_it_is_decided(sim, tmp_path):
    model = script("slow the pump to 2300\nopen a work order for the pump's seal",
                   [call("change_setpoints", machine="P-101", changes=[{"tag": "speed_setpoint", "to": 2300}])],
                   [call("report_to_maintenance", machine="P-101", symptom="seal leak")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "slow the pump to 2300 and open a work order for the pump's seal")
        [wait] = waiting(steps)
        assert not results(steps, "create_work_order")
        _, more = await copilot.approve(wait.action_id, user("sam"))
        assert [s.status for s in results(more, "write_setpoint")] == ["done"]
        assert [s.status for s in results(more, "create_work_order")] == ["done"]
        answer = [s.text for s in more if s.kind == "answer"][-1]
        assert "slow the pump to 2300:" in answer and "Done: P-101 speed setpoint 2400 → 2300 rpm" in answer
        assert "open a work order for the pump's seal:" in answer


async def test_a_task_that_asks_back_is_asked_last_the_others_carried_out_and_the_reply_continues_it(sim,
                                                                                                    tmp_path):
    model = script("order some bearings\nopen a work order for P-101",
                   [call("order_part")],
                   [call("report_to_maintenance", machine="P-101", symptom="vibration")],
                   [call("order_part", part="BRG-6205", quantity=4)])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "order some bearings and open a work order for P-101", thread_id="t")
        assert [s.status for s in results(steps, "create_work_order")] == ["done"]  # not held by the question
        done, asked = steps[-1].text.split("\n\n")
        assert done.startswith("open a work order for P-101:") and "WO-00001" in done
        assert asked.startswith("order some bearings (P-101):\nWhich part should I order")  # the question: last
        steps = await ask(copilot, "olga", "the 6205s, 4 of them", thread_id="t")
        [wait] = waiting(steps)  # the reply continues the task that asked
        assert wait.change.startswith("order 4 x BRG-6205")


async def test_a_last_task_answered_in_words_comes_after_the_others_and_before_the_question_deferred(sim,
                                                                                                  tmp_path):
    model = script("order some bearings\ntell me what the oven is at",
                   [call("order_part")], "The oven OV-201 is at 180 °C.",
                   [call("order_part", part="BRG-6205", quantity=4)])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "order some bearings and tell me what the oven is at", thread_id="t")
        told, asked = steps[-1].text.split("\n\n")
        assert told.startswith("tell me what the oven is at") and told.endswith(":\nThe oven OV-201 is at 180 °C.")
        assert asked.startswith("order some bearings") and "Which part should I order" in asked
        [wait] = waiting(await ask(copilot, "olga", "the 6205s, 4 of them", thread_id="t"))
        assert wait.change.startswith("order 4 x BRG-6205")


async def test_a_second_task_that_asks_back_ends_the_turn_and_names_what_is_not_done(sim, tmp_path):
    model = script("order some bearings\nset the oven\nslow CV-203 down 2",
                   [call("order_part")],
                   [call("change_setpoints", machine="OV-201", changes=[{"tag": "temp_setpoint"}])])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "order some bearings and set the oven, then slow CV-203 down 2")
        asked, not_done = steps[-1].text.split("\n\n")  # the reply answers the last question: the other waits
        assert asked.startswith("set the oven:\nTo what value, or by how much")
        assert not_done.startswith("Not done yet") and not_done.endswith(": order some bearings (CV-203); slow CV-203 "
                                                                         "down 2")
        assert not results(steps, "write_setpoint")


async def test_a_single_task_is_chosen_as_before(sim, tmp_path):
    model = script("set the oven to 175 and let me know",
                   [call("change_setpoints", machine="OV-201", changes=[{"tag": "temp_setpoint", "to": 175}])])
    async with copilot_on(sim, tmp_path, model) as copilot:
        assert not [s for s in await ask(copilot, "olga", "what's the oven at and is it ok?")
                    if s.kind == "choice" and s.tool == "tasks"]  # a question is not told apart
        steps = await ask(copilot, "olga", "set the oven to 175 and let me know")
        [wait] = waiting(steps)
        assert wait.change == "OV-201 temperature setpoint 180 → 175 °C"
        [told] = [s for s in steps if s.kind == "choice" and s.tool == "tasks"]  # asked, and found one
        assert told.arguments["tasks"] == ["set the oven to 175 and let me know"]


@pytest.mark.parametrize(("plant", "request_", "tasks", "told"), [
    ("riverside", "Line L1 is making flash on the housings. Find the cause and correct it.",
     ["find the cause of the flash", "correct the cause of the flash"],
     ["find the cause of the flash (L1)", "correct the cause of the flash (L1)"]),
    ("riverside", "the press cylinder is leaking, lower its pressure by 10 bar and open a work order",
     ["lower the pressure by 10 bar", "open a work order for the press"],
     ["lower the pressure by 10 bar (HP-102)", "open a work order for the press"]),
    ("riverside", "order belts for the conveyor and bearings for the pump",  # two subjects: none is carried
     ["order belts", "order bearings for the pump"], ["order belts", "order bearings for the pump"]),
    ("dyehouse", "the jet dyer on D1 is off shade, find out why and fix it",
     ["find out why it is off shade", "fix it"],
     ["find out why it is off shade (JD-102)", "fix it (JD-102)"]),
    ("dyehouse", "line F1 keeps stopping: check it and then raise a job",
     ["check it", "raise a job"], ["check it (F1)", "raise a job (F1)"]),
    ("riverside", "make the blue UV job 1000 and drop the press to 150 bar",  # an order is its own subject
     ["make the blue UV job 1000", "drop the press to 150 bar"],
     ["make the blue UV job 1000", "drop the press to 150 bar"]),
    ("dyehouse", "the navy WR order to 900 and the stenter down 5",
     ["the navy WR order to 900", "the stenter down 5"], ["the navy WR order to 900", "the stenter down 5"]),
])
def test_a_task_that_names_nothing_carries_the_one_machine_or_line_the_request_names(plant, request_, tasks, told):
    assert with_subject(tasks, request_, load_plant(PLANTS / plant / "plant.yaml")) == told
