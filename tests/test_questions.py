"""A question is answered, never answered with a change: told by code in ten languages, and the free loop then
offers the model no tool that changes anything (with procedures off too, where it otherwise could)."""

from __future__ import annotations

from typing import Any

import pytest
from agent_helpers import ask, call, copilot_on

from copilot.agent.choose import without_changes
from copilot.llm.scripted import ScriptedChatModel, ScriptedReply
from copilot.procedures.questions import is_question
from tools.registry import TOOLS

QUESTIONS = [
    "is the oven where it should be?", "what's the motor current on CV-203?",
    "could you tell me the oven's temperature?",
    "Wie warm ist der Ofen?", "Können Sie mir sagen, wie warm der Ofen ist?", "Quelle est la température du four ?",
    "¿Cuál es la temperatura del horno", "Qual è la temperatura del forno?", "Qual é a temperatura do forno?",
    "Jaka jest temperatura pieca?", "Wat is de temperatuur van de oven?", "Jaká je teplota pece?",
    "Fırının sıcaklığı kaç derece?", "who signed off the change on that order?",
    "The press is running hot. Why?", "P-101 vibrates. Could you tell me what the manual says?",
    "tu peux me dire la température du four ?", "mi dici la temperatura del forno?",
    "¿me dices cuántos rodamientos quedan?", "would knocking 10 bar off the press help?",
    "could it be the bearings?", "Können die Lager verschlissen sein?", "Kan het aan de lagers liggen?",
    "Will the oven be hot enough for the next batch?", "on line 2, which machine has the most rejects?",
]
REQUESTS = [
    "set the oven to 170", "can you set the oven to 170?", "Könnten Sie den Ofen auf 170 stellen?",
    "Pouvez-vous régler le four à 170 ?", "¿Puedes poner el horno a 170?", "Puoi mettere il forno a 170?",
    "Pode colocar o forno a 170?", "Czy możesz ustawić piec na 170?", "Kun je de oven op 170 zetten?",
    "Můžeš nastavit pec na 170?", "Fırını 170 dereceye ayarlayabilir misin?", "ok, do it", "",
    "Le régulateur du four fait n'importe quoi. Tu peux ouvrir une intervention ?",  # the last sentence asks
    "The oven is too hot. Can you take it down 5?", "Vous pouvez baisser le four à 175 ?",
    "mi ordini 2 termocoppie per il forno?", "¿me pides dos rodamientos para la bomba?",
    "me encomendas dois rolamentos?", "tu me commandes deux roulements ?", "could we take the oven down 5?",
    "Peux-tu baisser le four de 5 ?", "Kannst du den Ofen um 5 Grad runterdrehen?", "Zou je de oven op 170 zetten?",
    "can someone look at the leaking cylinder on the press?",
]


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_is_told_in_any_of_the_languages(text):
    assert is_question(text)


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request_even_a_polite_one_with_a_question_mark_is_no_question(text):
    assert not is_question(text)


def test_a_questions_turn_is_offered_no_tool_that_changes_anything():
    bound = ["machine_status", "write_setpoint", "create_work_order", "inventory"]
    assert without_changes({}, bound, TOOLS) == {"allowed_tools": ["machine_status", "inventory"]}
    assert without_changes({"allowed_tools": ["write_setpoint"]}, bound, TOOLS) == {"tool_choice": "none"}
    assert without_changes({"tool_choice": "write_setpoint"}, bound, TOOLS) == {"tool_choice": "none"}
    assert without_changes({"tool_choice": "machine_status"}, bound, TOOLS) == {"tool_choice": "machine_status"}
    assert without_changes({"tool_choice": "none"}, bound, TOOLS) == {"tool_choice": "none"}


class _Noting(ScriptedChatModel):
    """The script, noting which tools each call allowed."""

    allowed: list[Any] = []

    def _generate(self, messages, stop=None, run_manager=None, **kw):
        self.allowed.append(kw.get("allowed_tools"))
        return super()._generate(messages, stop, run_manager, **kw)


async def test_with_procedures_off_a_question_reads_and_answers_and_a_request_may_change(sim, tmp_path):
    asked = _Noting(replies=[ScriptedReply(tool_calls=[call("machine_status", machine_id="CV-203")]),
                             ScriptedReply(content="CV-203 draws 6.8 A.")], allowed=[])
    async with copilot_on(sim, tmp_path / "q", asked, procedures=False, plan_first="off") as copilot:
        steps = await ask(copilot, "olga", "what's the motor current on CV-203?")
    assert steps[-1].kind == "answer" and asked.allowed
    assert all(a and "write_setpoint" not in a and "create_work_order" not in a for a in asked.allowed)
    assert "machine_status" in asked.allowed[0]
    told = _Noting(replies=[ScriptedReply(content="By how much?")], allowed=[])
    async with copilot_on(sim, tmp_path / "r", told, procedures=False, plan_first="off") as copilot:
        await ask(copilot, "olga", "speed CV-203 up a bit")
    assert told.allowed == [None]  # a request: every tool bound stays on offer
