"""Relative versus absolute, per language (copilot/understanding/phrasing.py)."""

from __future__ import annotations

import pytest

from copilot.understanding.phrasing import Absolute, Percent, Phrase, Relative, Unclear, phrases


def _short(phrase: Phrase) -> tuple:
    """A phrase as (kind, value, unit or sign): to/by/percent/unclear."""
    match phrase:
        case Absolute(value=v, unit=u):
            return ("to", v, u.symbol if u else None)
        case Relative(delta=d, unit=u, signed=s):
            return ("by" if s else "by?", d, u.symbol if u else None)
        case Percent(pct=p, signed=s):
            return ("percent" if s else "percent?", p, None)
        case Unclear(value=v):
            return ("unclear", v, None)


CASES = [
    # English
    ("en", "OV-201 up to 175", [("to", 175, None)]),
    ("en", "take the oven up by 5", [("by", 5, None)]),
    ("en", "5 more on the oven", [("by", 5, None)]),
    ("en", "raise it 5, lower by 10", [("by", 5, None), ("by", -10, None)]),
    ("en", "10 less", [("by", -10, None)]),
    ("en", "give the filler 5 more bottles a minute", [("by", 5, "bpm")]),
    ("en", "10 fewer ml a bottle", [("by", -10, "ml")]),
    ("en", "down 10 degrees", [("by", -10, "deg")]),
    ("en", "double it", [("percent", 100, None)]),
    ("en", "halve the conveyor speed", [("percent", -50, None)]),
    ("en", "run it ten percent slower", [("percent", -10, None)]),
    ("en", "set it at 175", [("to", 175, None)]),
    ("en", "+5 on the oven", [("by", 5, None)]),
    ("en", "raise its speed from 24 to 28 m/min", [("to", 28, "m/min")]),
    ("en", "change the speed by 10 percent", [("percent?", 10, None)]),
    ("en", "the oven is 175", [("unclear", 175, None)]),
    ("en", "set the fill to -20 ml", [("to", -20, "ml")]),
    ("en", "set the oven to 5 degrees higher", [("by", 5, "deg")]),
    ("en", "reduce the order to a quantity of 10000", [("to", 10000, None)]),
    ("en", "cut it by a total of 200", [("by", -200, None)]),
    ("en", "cut the press pressure by a quarter", [("percent", -25, None)]),
    ("en", "increase the fill by half", [("percent", 50, None)]),
    ("en", "IM-103 barrel 235, hold pressure 600", [("unclear", 235, None), ("unclear", 600, None)]),
    # German
    ("de", "Ofen auf 175 stellen", [("to", 175, None)]),
    ("de", "den Auftrag auf insgesamt 1000 senken", [("to", 1000, None)]),
    ("de", "die Temperatur um 5 Grad erhöhen", [("by", 5, "deg")]),
    ("de", "Druck um 10 bar senken", [("by", -10, "bar")]),
    ("de", "5 Grad wärmer", [("by", 5, "deg")]),
    ("de", "fahr sie zehn Prozent langsamer", [("percent", -10, None)]),
    ("de", "Geschwindigkeit verdoppeln", [("percent", 100, None)]),
    ("de", "um 5 Grad rauf und den Nachdruck um 25 bar runter", [("by", 5, "deg"), ("by", -25, "bar")]),
    ("de", "von 24 auf 28 erhöhen", [("to", 28, None)]),
    ("de", "die Temperatur auf 175 Grad erhöhen", [("to", 175, "deg")]),
    ("de", "10 Grad weniger", [("by", -10, "deg")]),
    ("de", "5 mehr Flaschen pro Minute", [("by", 5, "bpm")]),
    ("de", "die Pumpe bitte auf 2200 U/min runter", [("to", 2200, "rpm")]),
    # French
    ("fr", "mets le four à 185 degrés", [("to", 185, "deg")]),
    ("fr", "monte-le de 4 mètres par minute", [("by", 4, "m/min")]),
    ("fr", "baisse la pression de 10 bar", [("by", -10, "bar")]),
    ("fr", "10 % plus vite", [("percent", 10, None)]),
    ("fr", "double la vitesse", [("percent", 100, None)]),
    ("fr", "passe de 170 à 175", [("to", 175, None)]),
    ("fr", "divise la vitesse par deux", [("percent", -50, None)]),
    # Spanish
    ("es", "pon el horno a 175", [("to", 175, None)]),
    ("es", "pon el horno en 175", [("to", 175, None)]),
    ("es", "aumenta la temperatura en 5 grados", [("by", 5, "deg")]),
    ("es", "bájale 10 botellas por minuto", [("by", -10, "bpm")]),
    ("es", "baja la presión unos 30 bar", [("by", -30, "bar")]),
    ("es", "reduce la velocidad a la mitad", [("percent", -50, None)]),
    ("es", "sube hasta 175", [("to", 175, None)]),
    # Italian
    ("it", "porta il forno a 175", [("to", 175, None)]),
    ("it", "aumenta di 5 gradi", [("by", 5, "deg")]),
    ("it", "abbassa la pressione di 10 bar", [("by", -10, "bar")]),
    ("it", "rallenta del 10 per cento", [("percent", -10, None)]),
    ("it", "raddoppia la velocità", [("percent", 100, None)]),
    ("it", "dimezza la velocità", [("percent", -50, None)]),
    # Portuguese
    ("pt", "coloca o forno em 175", [("to", 175, None)]),
    ("pt", "muda o forno para 175", [("to", 175, None)]),
    ("pt", "aumenta em 5 graus", [("by", 5, "deg")]),
    ("pt", "baixa a pressão 10 bar", [("by", -10, "bar")]),
    ("pt", "reduz a velocidade em 10 por cento", [("percent", -10, None)]),
    ("pt", "duplica a velocidade", [("percent", 100, None)]),
    # Dutch
    ("nl", "zet de oven op 175", [("to", 175, None)]),
    ("nl", "verhoog met 5 graden", [("by", 5, "deg")]),
    ("nl", "verlaag de druk met 10 bar", [("by", -10, "bar")]),
    ("nl", "5 graden warmer", [("by", 5, "deg")]),
    ("nl", "10 procent langzamer", [("percent", -10, None)]),
    ("nl", "halveer de snelheid", [("percent", -50, None)]),
    # Polish
    ("pl", "ustaw piec na 175 stopni", [("to", 175, "deg")]),
    ("pl", "zwiększ do 175", [("to", 175, None)]),
    ("pl", "zwiększ temperaturę o pięć stopni", [("by", 5, "deg")]),
    ("pl", "obniż ciśnienie o 10 bar", [("by", -10, "bar")]),
    ("pl", "o 10 procent wolniej", [("percent", -10, None)]),
    ("pl", "podwój prędkość", [("percent", 100, None)]),
    ("pl", "prędkość taśmy o połowę mniej", [("percent", -50, None)]),
    # Czech
    ("cs", "nastav pec na 175 °C", [("to", 175, "degC")]),
    ("cs", "sniž teplotu o 5 stupňů", [("by", -5, "deg")]),
    ("cs", "zvyš tlak o 10 bar", [("by", 10, "bar")]),
    ("cs", "o 10 procent pomaleji", [("percent", -10, None)]),
    ("cs", "zdvojnásob rychlost", [("percent", 100, None)]),
    ("cs", "sniž rychlost na polovinu", [("percent", -50, None)]),
    # Turkish
    ("tr", "fırını 175'e çıkar", [("to", 175, None)]),
    ("tr", "sıcaklığı 175 dereceye ayarla", [("to", 175, "deg")]),
    ("tr", "sıcaklığı 5 derece artır", [("by", 5, "deg")]),
    ("tr", "basıncı 10 bar düşür", [("by", -10, "bar")]),
    ("tr", "hızı %10 azalt", [("percent", -10, None)]),
    ("tr", "hızı yarıya indir", [("percent", -50, None)]),
    ("tr", "170'ten 175'e çıkar", [("to", 175, None)]),
    ("tr", "pompayı 2200 devire ayarla", [("to", 2200, "rpm")]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_what_each_number_asks(lang: str, text: str, expected: list[tuple]) -> None:
    assert [_short(p) for p in phrases(text, lang)] == expected


def test_every_language_has_its_cases() -> None:
    counts = {lang: sum(1 for case in CASES if case[0] == lang) for lang, _, _ in CASES}
    assert len(counts) == 10 and min(counts.values()) >= 6


def test_a_phrase_keeps_what_was_said_and_where() -> None:
    text = "raise the oven by 9 °F and the press to 2900 psi"
    first, second = phrases(text, "en")
    assert (first.said, second.said) == ("9 °F", "2900 psi")
    assert first.start < second.start and text[second.start:].startswith("2900")


def test_half_a_dozen_is_a_number_not_a_halving() -> None:
    assert [_short(p) for p in phrases("order half a dozen seals", "en")] == [("unclear", 6, None)]
