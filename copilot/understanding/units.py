"""Units named in a request, per language, and exact conversion between compatible units.

A unit is written after its number ("175 °F", "5 Grad", "10 l/min"; in Turkish also before it: "%10"), and
maps to the spelling the plant file uses for its tags (degC, bar, m3/h, rpm, ...). A unit-shaped word the
table does not know ("5 °Ré", "3 ft/s") or one with no single rule ("gallons": US or imperial) is named as
unknown, so it is asked back rather than read as the tag's own unit.

The rule for "exact": every factor here is a definition (1 psi = 6894.757293168361 Pa by the definitions of
the pound and the inch, 1 °F = 5/9 K), so a conversion is exact when its result, computed in exact fractions,
lands on the target's resolution (the smallest step its register holds): 347 °F is exactly 175 °C, while
350 °F is 176.67 °C, which a whole-degree setpoint cannot hold, so it is asked back with the nearest value.
A relative change converts by the factor alone ("up by 9 °F" is up by 5 °C), an absolute value with the
offset too. Units of different dimensions (°F for a pressure) are incompatible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cache

from copilot.understanding.number_words import LANGUAGES
from copilot.understanding.unit_words import CASED, DEGREES, PREFIXED, SYMBOLS, UNSURE, WORDS


class Dimension(StrEnum):
    """What a unit measures; only units of one dimension convert into each other."""

    temperature = "temperature"
    pressure = "pressure"
    flow = "flow"
    rotation = "rotation"
    speed = "speed"
    current = "current"
    power = "power"
    time = "time"
    volume = "volume"
    share = "share"
    count = "count"
    force = "force"
    length = "length"
    mass = "mass"
    bottle_rate = "bottle rate"
    stroke_rate = "stroke rate"


@dataclass(frozen=True)
class Unit:
    """A unit by the plant file's spelling: its dimension, and how a value in it reads in the dimension's base
    unit (``value * factor + offset``; the offset only for temperatures)."""

    symbol: str
    dimension: Dimension
    factor: Fraction
    offset: Fraction = Fraction(0)


def _units(dimension: Dimension, **factors: str | Fraction) -> list[Unit]:
    return [Unit(symbol, dimension, Fraction(factor)) for symbol, factor in factors.items()]


_PSI = Fraction("0.45359237") * Fraction("9.80665") / Fraction("0.0254") ** 2
UNITS = {u.symbol: u for u in [
    Unit("degC", Dimension.temperature, Fraction(1), Fraction("273.15")),
    Unit("degF", Dimension.temperature, Fraction(5, 9), Fraction("459.67") * Fraction(5, 9)),
    Unit("K", Dimension.temperature, Fraction(1)),
    *_units(Dimension.pressure, bar="100000", mbar="100", Pa="1", kPa="1000", MPa="1000000", psi=_PSI,
            atm="101325"),
    Unit("m3/h", Dimension.flow, Fraction(1000, 60)), Unit("m3/min", Dimension.flow, Fraction(1000)),
    Unit("l/min", Dimension.flow, Fraction(1)), Unit("l/h", Dimension.flow, Fraction(1, 60)),
    Unit("l/s", Dimension.flow, Fraction(60)),
    Unit("rpm", Dimension.rotation, Fraction(1)),
    Unit("mm/s", Dimension.speed, Fraction(1, 1000)), Unit("m/s", Dimension.speed, Fraction(1)),
    Unit("m/min", Dimension.speed, Fraction(1, 60)),
    *_units(Dimension.current, A="1", mA="0.001"), *_units(Dimension.power, W="1", kW="1000", MW="1000000"),
    *_units(Dimension.time, ms="0.001", s="1", min="60", h="3600"),
    *_units(Dimension.volume, ml="1", cl="10", l="1000"),
    Unit("%", Dimension.share, Fraction(1)), Unit("pcs", Dimension.count, Fraction(1)),
    *_units(Dimension.force, N="1", kN="1000"),
    *_units(Dimension.length, mm="0.001", cm="0.01", m="1"), *_units(Dimension.mass, g="0.001", kg="1", t="1000"),
    Unit("bpm", Dimension.bottle_rate, Fraction(1)), Unit("spm", Dimension.stroke_rate, Fraction(1)),
]}
"""Every unit this module converts, by the plant file's spelling."""


@dataclass(frozen=True)
class Converted:
    """The value in the target unit, exactly."""

    value: float


@dataclass(frozen=True)
class NotExact:
    """The value in the target unit is not on the target's resolution: the exact value and the nearest one
    the target holds."""

    value: float
    nearest: float


@dataclass(frozen=True)
class Incompatible:
    """The units measure different things (or one of them is unknown): no conversion."""

    source: str
    target: str


def convert(value: float, source: str, target: str, *, relative: bool = False,
            step: float = 0.001) -> Converted | NotExact | Incompatible:
    """``value`` in ``source`` as ``target`` (plant-file spellings, or symbols a plant file may use instead:
    °C, m³/h; ``deg`` is degrees of the target's own temperature scale), exactly or not at ``step`` (see the
    module's rule); ``relative``: a change of value, converted by the factor alone."""
    source, target = spelling(source), spelling(target)
    if source == target or (source == DEGREES and target in UNITS
                            and UNITS[target].dimension is Dimension.temperature):
        return Converted(value)
    if source not in UNITS or target not in UNITS or UNITS[source].dimension is not UNITS[target].dimension:
        return Incompatible(source, target)
    old, new = UNITS[source], UNITS[target]
    base = Fraction(str(value)) * old.factor + (0 if relative else old.offset)
    exact = (base - (0 if relative else new.offset)) / new.factor
    steps = exact / Fraction(str(step))
    if steps.denominator == 1:
        return Converted(float(exact))
    return NotExact(float(exact), round(round(steps) * step, 6))


def spelling(written: str) -> str:
    """The plant-file spelling of a unit symbol as a plant file or a person may write it (°C → degC,
    m³/h → m3/h, U/min → rpm); the text itself when it is no symbol this module knows."""
    if written in UNITS:
        return written
    return CASED.get(written) or SYMBOLS.get(written.lower(), written)


@dataclass(frozen=True)
class NamedUnit:
    """A unit named in a text: the plant-file spelling (None when it is not one this module knows) and where
    it stands."""

    symbol: str | None
    start: int
    end: int


_AFTER_WORD = r"(?![\w/²³])"
_TURKISH_ENDING = r"(?=(?:'?y?[ea]|'?d[ea]n|'?t[ea]n)?(?![\w/²³]))"


@cache
def _patterns(lang: str) -> tuple[re.Pattern, re.Pattern, re.Pattern, dict[str, str]]:
    """The language's unit names (longest first), its cased symbols and the unknown-unit shape."""
    names = {**SYMBOLS, **WORDS[lang if lang in LANGUAGES else "en"]}
    forms = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True))
    ending = _TURKISH_ENDING if lang == "tr" else _AFTER_WORD
    named = re.compile(rf"[ \u00a0]?({forms}){ending}", re.IGNORECASE)
    cased = re.compile(rf"[ \u00a0]?({'|'.join(CASED)}){_AFTER_WORD}")
    unsure = "|".join(UNSURE)
    unknown = re.compile(rf"[ \u00a0]?(°[^\W\d_]+|[^\W\d_]+/[^\W\d_]+|[^\W\d_]+[²³]|(?:{unsure})(?!\w))", re.IGNORECASE)
    return named, cased, unknown, {k.lower(): v for k, v in names.items()}


def unit_after(text: str, at: int, lang: str) -> NamedUnit | None:
    """The unit written at ``text[at:]`` (after a number), if any; an unknown one with symbol None."""
    named, cased, unknown, names = _patterns(lang)
    if match := named.match(text, at):
        return NamedUnit(names[match.group(1).lower()], match.start(1), match.end(1))
    if match := cased.match(text, at):
        return NamedUnit(CASED[match.group(1)], match.start(1), match.end(1))
    if match := unknown.match(text, at):
        return NamedUnit(None, match.start(1), match.end(1))
    return None


def unit_before(text: str, at: int, lang: str) -> NamedUnit | None:
    """A unit the language writes before its number ("%10", "yüzde 10"), ending at ``text[:at]``."""
    for prefix, symbol in PREFIXED.get(lang, {}).items():
        if match := re.search(rf"(?<!\w){re.escape(prefix)}\s?$", text[:at], re.IGNORECASE):
            return NamedUnit(symbol, match.start(), match.start() + len(prefix))
    return None
