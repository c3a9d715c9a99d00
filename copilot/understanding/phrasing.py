"""Relative versus absolute: what each number of a request asks of a value, per language.

Each number is read with its unit (copilot/understanding/units.py) and the words around it
(copilot/understanding/phrase_words.py), in this order:

1. a comparative right after it and its unit ("5 degrees higher", "5 more", "10 less") is by that much;
2. a to-word right before it ("to 175", "up to 175", "auf 175", "à 175", Turkish "175'e") is to; a
   from-value followed by a to-value ("from 24 to 28") is no change at all;
3. a percentage is a percentage change ("ten percent slower", "by 10 %"), but the value itself when its
   clause only sets ("run the pump at 50 %");
4. a sign of its own ("+5", "-5") is by that much;
5. a by-word right before it ("by 5", "up 5", "um 5", "de 5", "o 5") or a direction in its clause ("raise
   it 5", "100 rpm slower") is by that much;
6. a verb that sets ("set it 175", "set it at 175") is to;
7. anything else is unclear: the model's reading stands.

A by-change or a percentage takes its sign from the direction the clause says (or, when it says none, the
clause before); where no clause says one, it is unsigned. "Double it", "halve it" are +100 % and -50 %; "by
half", "by a quarter" are 50 % and 25 %, signed the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from copilot.understanding.number_words import LANGUAGES
from copilot.understanding.numbers import Number, numbers
from copilot.understanding.phrase_words import (
    AND,
    BY,
    DOWN,
    EITHER,
    ENDINGS,
    FACTORS,
    FILLER,
    FROM,
    LESS,
    MORE,
    SET,
    SHARES,
    TO,
    UP,
)
from copilot.understanding.units import NamedUnit, unit_after, unit_before


@dataclass(frozen=True)
class Absolute:
    """Go to ``value`` (in ``unit``, or the tag's own when None)."""

    value: float
    unit: NamedUnit | None
    said: str
    start: int


@dataclass(frozen=True)
class Relative:
    """Move by ``delta`` (in ``unit``, or the tag's own when None): signed when the request says which way,
    a size only when ``signed`` is False."""

    delta: float
    unit: NamedUnit | None
    signed: bool
    said: str
    start: int


@dataclass(frozen=True)
class Percent:
    """Move by ``pct`` percent of the current value: signed when the request says which way."""

    pct: float
    signed: bool
    said: str
    start: int


@dataclass(frozen=True)
class Unclear:
    """A number the words around it do not place: neither to nor by."""

    value: float
    unit: NamedUnit | None
    said: str
    start: int


Phrase = Absolute | Relative | Percent | Unclear


@dataclass(frozen=True)
class _Read:
    """One number with its unit, the text it spans (unit included) and its clause."""

    number: Number
    unit: NamedUnit | None
    start: int
    end: int
    clause: tuple[int, int]


@cache
def _words(lang: str) -> dict[str, re.Pattern]:
    lang = lang if lang in LANGUAGES else "en"
    filler = rf"(?:(?:{FILLER[lang]})\s+)?"
    before = {name: re.compile(rf"(?<!\w)(?:{table[lang]})\s*{filler}$", re.IGNORECASE)
              for name, table in (("to", TO), ("by", BY), ("from", FROM), ("either", EITHER)) if lang in table}
    anywhere = {name: re.compile(rf"(?<!\w)(?:{table[lang]})(?!\w)", re.IGNORECASE)
                for name, table in (("up", UP), ("down", DOWN), ("set", SET))}
    after = {name: re.compile(rf"\s*(?:{table[lang]})(?!\w)", re.IGNORECASE) for name, table in (("more", MORE),
                                                                                               ("less", LESS))}
    endings = {name: re.compile(rf"{e}(?!\w)", re.IGNORECASE)
               for name, e in zip(("to_ending", "from_ending"), ENDINGS.get(lang, ()), strict=False)}
    clause = {"clause": re.compile(rf"[;:!?]|[.,](?!\d)|(?<!\w)(?:{AND[lang]})(?!\w)", re.IGNORECASE)}
    return {**before, **anywhere, **after, **endings, **clause}


def phrases(text: str, lang: str) -> list[Phrase]:
    """What each number of ``text`` (in ``lang``) asks, and each factor or share ("double it", "by half"), in
    order."""
    words = _words(lang)
    found: list[Phrase] = _factors(text, lang, words)
    reads: list[_Read] = []
    for number in numbers(text, lang):  # not the numbers of a factor ("iki katına") or a unit ("per cento")
        if not any(p.start <= number.start < p.start + len(p.said) for p in found) and not (
                reads and number.start < reads[-1].end):
            reads.append(_read(number, text, lang, words))
    for index, read in enumerate(reads):
        after = reads[index + 1] if index + 1 < len(reads) else None
        if not _is_from(read, after, text, words):
            found.append(_phrase(read, text, words))
    return sorted(found, key=lambda p: p.start)


def _factors(text: str, lang: str, words: dict[str, re.Pattern]) -> list[Phrase]:
    """The factors ("double it": +100 %) and the shares, signed as their clause says ("cut it by half")."""
    lang = lang if lang in LANGUAGES else "en"
    found: list[Phrase] = []
    for table, fixed in ((FACTORS[lang], True), (SHARES[lang], False)):
        for pattern, pct in table.items():
            for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE):
                direction = 1 if fixed else _direction(_clause(m.start(), m.end(), text, words), text, words)
                found.append(Percent(float(pct) * (direction or 1), fixed or bool(direction), m.group(), m.start()))
    return found


def _clause(start: int, end: int, text: str, words: dict[str, re.Pattern]) -> tuple[int, int]:
    """Where the clause of ``text[start:end]`` begins and ends."""
    bounds = [m.start() for m in words["clause"].finditer(text)]
    return max([b for b in bounds if b < start], default=0), min([b for b in bounds if b >= end], default=len(text))


def _read(number: Number, text: str, lang: str, words: dict[str, re.Pattern]) -> _Read:
    unit = unit_after(text, number.end, lang)
    prefix = None if unit else unit_before(text, number.start, lang)
    start = prefix.start if prefix else number.start
    end = unit.end if unit else number.end
    return _Read(number, unit or prefix, start, end, _clause(start, end, text, words))


def _cue(read: _Read, text: str, words: dict[str, re.Pattern], name: str) -> bool:
    """Whether a cue word ``name`` is written right before the number (or a case ending right after it)."""
    ending = words.get(f"{name}_ending")
    if ending is not None and (ending.match(text, read.end) or ending.match(text, read.number.end)):
        return True
    pattern = words.get(name)
    return pattern is not None and pattern.search(text, 0, read.start) is not None


def _is_from(read: _Read, after: _Read | None, text: str, words: dict[str, re.Pattern]) -> bool:
    """A value now, before the value to go to: "from 24 to 28", "von 24 auf 28", "24'ten 28'e"."""
    return (after is not None and _cue(read, text, words, "from") and _cue(after, text, words, "to")
            and not text[read.end:after.start].strip(" ,").count(" ") > 2)


def _direction(clause: tuple[int, int], text: str, words: dict[str, re.Pattern]) -> int:
    """+1 or -1 for the way a clause says the value goes (or the nearest clause before it that says one), 0
    when none says one or the clause says both."""
    start, end = clause
    while True:
        up = words["up"].search(text, start, end) is not None
        down = words["down"].search(text, start, end) is not None
        if up != down:
            return 1 if up else -1
        if up or start == 0:
            return 0
        end = start
        start = max([m.start() for m in words["clause"].finditer(text, 0, end)], default=0)


def _phrase(read: _Read, text: str, words: dict[str, re.Pattern]) -> Phrase:
    """What one number asks (see the module's order)."""
    said, value, unit = text[read.start:read.end], read.number.value, read.unit
    more, less = words["more"].match(text, read.end), words["less"].match(text, read.end)
    if bool(more) != bool(less) and not (unit is not None and unit.symbol == "%"):  # "5 degrees higher"
        return Relative(abs(value) * (1 if more else -1), unit, True, said, read.start)
    if _cue(read, text, words, "to"):
        return Absolute(value, unit, said, read.start)
    by, direction = _cue(read, text, words, "by"), _direction(read.clause, text, words)
    start, end = read.clause
    sets = _cue(read, text, words, "either") or words["set"].search(text, start, end) is not None
    if unit is not None and unit.symbol == "%" and (by or direction or not sets):
        return Percent(abs(value) * (direction or 1), bool(direction), said, read.start)
    if read.number.signed and not by:
        return Relative(value, unit, True, said, read.start)
    if by or direction:
        return Relative(abs(value) * (direction or 1), unit, bool(direction), said, read.start)
    if sets:  # "ponlo en 175", "set it at 175", "run the pump at 50 %"
        return Absolute(value, unit, said, read.start)
    return Unclear(value, unit, said, read.start)
