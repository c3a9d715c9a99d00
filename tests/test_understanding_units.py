"""Units named in a request, per language, and exact conversions (copilot/understanding/units.py)."""

from __future__ import annotations

import pytest

from connectors.plant import load_plant
from connectors.site import DEMO_SITE
from copilot.understanding.numbers import numbers
from copilot.understanding.units import (
    UNITS,
    Converted,
    Incompatible,
    NotExact,
    convert,
    unit_after,
    unit_before,
)


def _unit(text: str, lang: str) -> str | None:
    """The symbol of the unit of the text's first number ('?' for an unknown one, None for none)."""
    number = numbers(text, lang)[0]
    named = unit_after(text, number.end, lang) or unit_before(text, number.start, lang)
    return None if named is None else named.symbol or "?"


UNIT_CASES = [
    ("en", "set it to 347 °F", "degF"), ("en", "350F please", "degF"), ("en", "5 degrees", "deg"),
    ("en", "100 psi", "psi"), ("en", "1000 l/min", "l/min"), ("en", "5 A", "A"), ("en", "raise it 5 a minute", None),
    ("en", "90 bottles per minute", "bpm"), ("en", "10%", "%"), ("en", "2 ml more", "ml"),
    ("en", "set it to 175 °Ré", "?"), ("en", "3 ft/s faster", "?"), ("en", "2 gallons a minute", "?"),
    ("de", "um 5 Grad", "deg"), ("de", "2,5 bar", "bar"), ("de", "10 Prozent", "%"),
    ("de", "90 Flaschen pro Minute", "bpm"), ("de", "1500 U/min", "rpm"), ("de", "20 Liter pro Minute", "l/min"),
    ("fr", "à 185 degrés", "deg"), ("fr", "de 4 mètres par minute", "m/min"), ("fr", "10 pour cent", "%"),
    ("fr", "1500 tr/min", "rpm"), ("fr", "500 millilitres", "ml"), ("fr", "3 bars", "bar"),
    ("es", "10 botellas por minuto", "bpm"), ("es", "30 bar", "bar"), ("es", "5 grados", "deg"),
    ("es", "10 por ciento", "%"), ("es", "1500 revoluciones por minuto", "rpm"),
    ("es", "20 litros por minuto", "l/min"),
    ("it", "5 gradi", "deg"), ("it", "10 per cento", "%"), ("it", "1500 giri al minuto", "rpm"),
    ("it", "30 bar", "bar"), ("it", "10 bottiglie al minuto", "bpm"), ("it", "20 metri al minuto", "m/min"),
    ("pt", "5 graus", "deg"), ("pt", "10 por cento", "%"), ("pt", "20 litros por minuto", "l/min"),
    ("pt", "30 bar", "bar"), ("pt", "10 garrafas por minuto", "bpm"), ("pt", "500 mililitros", "ml"),
    ("nl", "5 graden", "deg"), ("nl", "10 procent", "%"), ("nl", "1500 toeren per minuut", "rpm"),
    ("nl", "30 bar", "bar"), ("nl", "10 flessen per minuut", "bpm"), ("nl", "20 meter per minuut", "m/min"),
    ("pl", "5 stopni", "deg"), ("pl", "10 procent", "%"), ("pl", "1500 obr/min", "rpm"),
    ("pl", "30 bar", "bar"), ("pl", "20 litrów na minutę", "l/min"), ("pl", "10 butelek na minutę", "bpm"),
    ("cs", "5 stupňů", "deg"), ("cs", "10 procent", "%"), ("cs", "175 °C", "degC"),
    ("cs", "30 bar", "bar"), ("cs", "1500 otáček za minutu", "rpm"), ("cs", "20 litrů za minutu", "l/min"),
    ("tr", "5 derece", "deg"), ("tr", "%10", "%"), ("tr", "yüzde 10", "%"), ("tr", "175 dereceye", "deg"),
    ("tr", "30 bar", "bar"), ("tr", "1500 devir/dakika", "rpm"), ("tr", "20 litre/dakika", "l/min"),
    # a rate per minute as people abbreviate it
    ("fr", "de 2 coups/min", "spm"), ("es", "5 golpes/min", "spm"), ("it", "3 colpi/min", "spm"),
    ("nl", "10 flessen/min", "bpm"), ("pt", "20 litros/min", "l/min"), ("cs", "20 zdvihů/min", "spm"),
    # lengths and masses
    ("en", "to 1610 mm", "mm"), ("en", "7.2 tonnes", "t"), ("en", "5 tons", "?"), ("de", "161 Zentimeter", "cm"),
    ("fr", "2 mètres", "m"), ("es", "3 toneladas", "t"), ("it", "500 grammi", "g"), ("pt", "800 quilos", "kg"),
    ("nl", "160 centimeter", "cm"), ("pl", "2 tony", "t"), ("cs", "5 metrů", "m"), ("tr", "3 ton", "t"),
]


@pytest.mark.parametrize(("lang", "text", "unit"), UNIT_CASES)
def test_units_as_written_per_language(lang: str, text: str, unit: str | None) -> None:
    assert _unit(text, lang) == unit


def test_every_language_has_its_cases() -> None:
    counts = {lang: sum(1 for case in UNIT_CASES if case[0] == lang) for lang, _, _ in UNIT_CASES}
    assert len(counts) == 10 and min(counts.values()) >= 6


def test_fahrenheit_to_celsius_absolute_and_relative() -> None:
    assert convert(347, "degF", "degC", step=1) == Converted(175)
    assert convert(32, "degF", "degC", step=1) == Converted(0)
    assert convert(9, "degF", "degC", relative=True, step=1) == Converted(5)  # a change: the factor, not the offset
    assert convert(-18, "degF", "degC", relative=True, step=1) == Converted(-10)
    assert convert(5, "deg", "degC") == Converted(5)  # "5 degrees" are the tag's own degrees


def test_a_conversion_that_is_not_exact_offers_the_nearest_value() -> None:
    outcome = convert(350, "degF", "degC", step=1)
    assert isinstance(outcome, NotExact) and outcome.nearest == 177 and round(outcome.value, 3) == 176.667
    assert convert(350, "degF", "degC", step=0.001) == NotExact(pytest.approx(176.6667, abs=1e-4), 176.667)


def test_psi_to_bar_and_litres_a_minute_to_cubic_metres_an_hour() -> None:
    assert convert(14.503773773375, "psi", "bar", step=0.001) == NotExact(pytest.approx(1.0), 1.0)
    pressure = convert(2900, "psi", "bar", step=1)
    assert isinstance(pressure, NotExact) and pressure.nearest == 200
    assert convert(1000, "l/min", "m3/h") == Converted(60)
    assert convert(25, "l/min", "m3/h", step=0.1) == Converted(1.5)
    assert convert(0.5, "m/s", "m/min", step=1) == Converted(30)
    assert convert(2, "MPa", "bar", step=1) == Converted(20)


def test_a_plant_file_may_spell_its_units_as_symbols() -> None:
    assert convert(347, "degF", "°C", step=1) == Converted(175)
    assert convert(1000, "l/min", "m³/h") == Converted(60)
    assert convert(1500, "rpm", "U/min", step=1) == Converted(1500)


def test_lengths_and_masses_convert_exactly() -> None:
    assert convert(1610, "mm", "cm") == Converted(161)
    assert convert(7.2, "t", "kg", step=1) == Converted(7200)
    assert convert(1612.5, "mm", "cm", step=0.1) == NotExact(161.25, 161.2)
    assert convert(5, "mm", "kg") == Incompatible("mm", "kg")


def test_incompatible_and_unknown_units_do_not_convert() -> None:
    assert convert(5, "degF", "bar") == Incompatible("degF", "bar")
    assert convert(5, "deg", "bar") == Incompatible("deg", "bar")
    assert convert(50, "%", "rpm") == Incompatible("%", "rpm")
    assert convert(5, "kit", "pcs") == Incompatible("kit", "pcs")


def test_every_unit_of_the_demo_plants_tags_is_known() -> None:
    plant = load_plant(DEMO_SITE / "plant.yaml")
    units = {t.unit for m in plant.machines.values() for t in m.tags.values() if t.unit}
    assert units <= set(UNITS)


def test_a_preposition_is_no_unit() -> None:
    assert _unit("podnieś o 5 w piecu", "pl") is None  # Polish "w" is "in", not watts
    assert _unit("5 W more", "en") == "W"
