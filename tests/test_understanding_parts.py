"""Spare parts named in the operator's own language, read as the plant file's English words."""

from __future__ import annotations

import pytest

from connectors.plant import load_plant
from connectors.site import PLANTS
from copilot.understanding.machines import machines_named
from copilot.understanding.parts import part_words_said

DYEHOUSE = load_plant(PLANTS / "dyehouse" / "plant.yaml")


@pytest.mark.parametrize(("lang", "text", "english"), [
    ("pl", "Jakie łożyska siedzą w napawarce?", "bearing"),
    ("it", "Ordina 2 guarnizioni della porta", "seal gasket"),
    ("de", "zwei Kugellager und ein Keilriemen", "bearing belt"),
    ("de", "was haben wir auf Lager?", ""),  # in stock, no bearing
    ("fr", "commandez deux roulements et une courroie", "bearing belt"),
    ("es", "pide dos rodamientos", "bearing"),
    ("pt", "encomenda um rolamento", "bearing"),
    ("nl", "bestel twee lagers", "bearing"),
    ("cs", "objednej dvě ložiska", "bearing"),
    ("tr", "iki rulman sipariş et", "bearing"),
    ("en", "order two bearings", ""),  # English is the plant file's own
])
def test_a_part_word_in_the_requests_language_is_the_plant_files_english_word(lang, text, english) -> None:
    assert part_words_said(text, lang) == english


@pytest.mark.parametrize(("text", "machine"), [
    ("Podnieś temperaturę na ramie o 5 stopni", "ST-202"),  # locative of "rama"
    ("Jakie łożyska siedzą w napawarce?", "PD-201"),
])
def test_a_machine_kind_is_read_in_its_polish_case_forms(text: str, machine: str) -> None:
    assert machines_named(text, DYEHOUSE, lang="pl") == [machine]
