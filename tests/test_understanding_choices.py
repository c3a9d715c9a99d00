"""How a request says to choose a supplier, in its own words and languages, and the model's fill checked
against it (copilot/understanding/choices.py, copilot/procedures/grounding.py)."""

from __future__ import annotations

import pytest

from connectors.plant import load_plant
from connectors.site import DEMO_SITE
from copilot.procedures.grounding import checked
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from copilot.understanding.choices import Preference, preference_in
from copilot.understanding.options import options_named
from tools.registry import TOOLS

PLANT = load_plant(DEMO_SITE / "plant.yaml")
ORDER = Procedures.load(CopilotSettings().procedures_file, TOOLS).get("order_part")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("order four seal kits from whoever delivers quickest", "en", Preference.lead_time),
    ("need them soonest", "en", Preference.lead_time),
    ("price doesn't matter, we need it here", "en", Preference.lead_time),
    ("whatever it costs", "en", Preference.lead_time),
    ("the smallest footprint please", "en", Preference.carbon),
    ("go with the greenest supplier", "en", Preference.carbon),
    ("cheapest is fine", "en", Preference.price),
    ("bestell vier Dichtungen beim schnellsten Lieferanten", "de", Preference.lead_time),
    ("der Preis spielt keine Rolle", "de", Preference.lead_time),
    ("le fournisseur le moins cher", "fr", Preference.price),
    ("el de menor huella de carbono", "es", Preference.carbon),
    ("il fornitore più veloce", "it", Preference.lead_time),
    ("o mais barato", "pt", Preference.price),
    ("najtańszy dostawca", "pl", Preference.price),
    ("nejrychlejší dodavatel", "cs", Preference.lead_time),
    ("de duurzaamste leverancier", "nl", Preference.carbon),
    ("en ucuz tedarikçi", "tr", Preference.price),
])
def test_a_word_for_the_choice_names_it(text: str, lang: str, expected: Preference) -> None:
    assert preference_in(text, lang) is expected


@pytest.mark.parametrize(("text", "lang"), [
    ("order ten fasteners for P-101", "en"),  # "fast" only as a word of its own
    ("four green dye drums", "en"),  # a colour names a product, not a choice
    ("cheapest, or the fastest?", "en"),  # two choices: nothing decided here
    ("chercher un joint", "fr"),  # "cher" only as a word of its own
    ("bestell fast 5 Stück", "de"),  # German "fast" is "almost"
    ("order 4 seals", "en"),
])
def test_no_word_or_several_say_nothing(text: str, lang: str) -> None:
    assert preference_in(text, lang) is None


def _order(request: str, preference: str | None, *, lang: str = "en", english: str | None = None) -> dict:
    slots = {"part": "SEAL-M25", "quantity": 4, "preference": preference, "supplier": None}
    kept, stop, question = checked(request, ORDER, slots, PLANT, lang=lang, english=english)
    assert (stop, question) == (None, None)
    return kept


def test_the_request_s_word_wins_over_the_model_s_pick() -> None:
    assert _order("order 4 SEAL-M25 from whoever delivers quickest", "price")["preference"] == "lead_time"
    assert _order("4 SEAL-M25, the greenest please", None)["preference"] == "carbon"


def test_without_a_word_the_model_s_reading_stands() -> None:
    assert _order("4 SEAL-M25, whoever can get them here by Monday", "lead_time")["preference"] == "lead_time"
    assert _order("order 4 SEAL-M25", None)["preference"] is None


def test_a_request_in_another_language_is_read_in_its_own_words_and_its_restatement() -> None:
    kept = _order("4 SEAL-M25 bestellen, am schnellsten", "price", lang="de")
    assert kept["preference"] == "lead_time"
    kept = _order("4 SEAL-M25 zamów", "price", lang="pl", english="order 4 SEAL-M25 from the cheapest")
    assert kept["preference"] == "price"


OFFERED = {"uv_stabilised": "UV protection", "glass_filled": "Glass-fibre reinforced",
           "high_gloss": "High-gloss finish",
           "long_life": "Long-life inhibitors", "tamper_evident_cap": "Tamper-evident cap"}


@pytest.mark.parametrize(("text", "named"), [
    ("400 green housings with UV protection by the 18th", ["uv_stabilised"]),
    ("glass-fiber reinforced and with a high gloss, UV-protected", ["uv_stabilised", "glass_filled", "high_gloss"]),
    ("2000 green coolant bottles with the tamper-evident cap, without long-life", ["tamper_evident_cap"]),
    ("how long will 500 red bottles take?", []),
    ("red bottles, long-life", ["long_life"]),
])
def test_the_options_a_request_asks_for_are_read_by_code(text: str, named: list[str]) -> None:
    assert options_named(text, OFFERED) == named
