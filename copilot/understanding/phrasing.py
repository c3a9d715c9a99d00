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
"""What one number (or factor word) of a request asks; ``said`` is its text with its unit, ``start`` where it
stands."""


@dataclass(frozen=True)
class _Read:
    """One number with its unit, the text it spans (unit included) and its clause."""

    number: Number
    unit: NamedUnit | None
    start: int
    end: int
    clause: tuple[int, int]


_NEVER = re.compile(r"(?!)")
"""A pattern that matches nothing: the cue a language does not have."""


@dataclass(frozen=True)
class _Cues:
    """One language's words (copilot/understanding/phrase_words.py), compiled: ``to``, ``by``, ``from_`` and
    ``either`` end right before a number; ``up``, ``down``, ``sets`` stand anywhere in its clause; ``more`` and
    ``less`` follow it; ``to_ending`` and ``from_ending`` are case endings glued to it; ``clause`` separates
    clauses."""

    to: re.Pattern
    by: re.Pattern
    from_: re.Pattern
    either: re.Pattern
    up: re.Pattern
    down: re.Pattern
    sets: re.Pattern
    more: re.Pattern
    less: re.Pattern
    to_ending: re.Pattern
    from_ending: re.Pattern
    clause: re.Pattern


@cache
def _cues(lang: str) -> _Cues:
    lang = lang if lang in LANGUAGES else "en"
    filler = rf"(?:(?:{FILLER[lang]})\s+)?"

    def before(table: dict[str, str]) -> re.Pattern:
        return re.compile(rf"(?<!\w)(?:{table[lang]})\s*{filler}$", re.IGNORECASE) if lang in table else _NEVER

    def anywhere(table: dict[str, str]) -> re.Pattern:
        return re.compile(rf"(?<!\w)(?:{table[lang]})(?!\w)", re.IGNORECASE)

    def after(table: dict[str, str]) -> re.Pattern:
        return re.compile(rf"\s*(?:{table[lang]})(?!\w)", re.IGNORECASE)

    to_ending, from_ending = (re.compile(rf"{e}(?!\w)", re.IGNORECASE) for e in ENDINGS.get(lang, ("(?!)", "(?!)")))
    return _Cues(before(TO), before(BY), before(FROM), before(EITHER), anywhere(UP), anywhere(DOWN), anywhere(SET),
                 after(MORE), after(LESS), to_ending, from_ending,
                 re.compile(rf"[;:!?]|[.,](?!\d)|(?<!\w)(?:{AND[lang]})(?!\w)", re.IGNORECASE))


def phrases(text: str, lang: str) -> list[Phrase]:
    """What each number of ``text`` (in ``lang``) asks, and each factor or share ("double it", "by half"), in
    order."""
    cues = _cues(lang)
    found: list[Phrase] = _factors(text, lang, cues)
    reads: list[_Read] = []
    for number in numbers(text, lang):  # not the numbers of a factor ("iki katına") or a unit ("per cento")
        if not any(p.start <= number.start < p.start + len(p.said) for p in found) and not (
                reads and number.start < reads[-1].end):
            reads.append(_read(number, text, lang, cues))
    for index, read in enumerate(reads):
        after = reads[index + 1] if index + 1 < len(reads) else None
        if not _is_from(read, after, text, cues):
            found.append(_phrase(read, text, cues))
    return sorted(found, key=lambda p: p.start)


def _factors(text: str, lang: str, cues: _Cues) -> list[Phrase]:
    """The factors ("double it": +100 %) and the shares, signed as their clause says ("cut it by half")."""
    lang = lang if lang in LANGUAGES else "en"
    found: list[Phrase] = []
    for table, fixed in ((FACTORS[lang], True), (SHARES[lang], False)):
        for pattern, pct in table.items():
            for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE):
                direction = 1 if fixed else _direction(_clause(m.start(), m.end(), text, cues), text, cues)
                found.append(Percent(float(pct) * (direction or 1), fixed or bool(direction), m.group(), m.start()))
    return found


def _clause(start: int, end: int, text: str, cues: _Cues) -> tuple[int, int]:
    """Where the clause of ``text[start:end]`` begins and ends."""
    bounds = [m.start() for m in cues.clause.finditer(text)]
    return max([b for b in bounds if b < start], default=0), min([b for b in bounds if b >= end], default=len(text))


def _read(number: Number, text: str, lang: str, cues: _Cues) -> _Read:
    """A number with its unit: right after it, after a comparative ("5 more bottles a minute"), or before it."""
    comparative = cues.more.match(text, number.end) or cues.less.match(text, number.end)
    unit = unit_after(text, number.end, lang) or (comparative and unit_after(text, comparative.end(), lang)) or None
    prefix = None if unit else unit_before(text, number.start, lang)
    start = prefix.start if prefix else number.start
    end = unit.end if unit else number.end
    return _Read(number, unit or prefix, start, end, _clause(start, end, text, cues))


def _cue(read: _Read, text: str, before: re.Pattern, ending: re.Pattern = _NEVER) -> bool:
    """Whether a cue is written right before the number (or its case ending right after it or its unit)."""
    return bool(ending.match(text, read.end) or ending.match(text, read.number.end)
                or before.search(text, 0, read.start))


def _is_from(read: _Read, after: _Read | None, text: str, cues: _Cues) -> bool:
    """A value now, before the value to go to: "from 24 to 28", "von 24 auf 28", "24'ten 28'e"."""
    near = after is not None and text[read.end:after.start].strip(" ,").count(" ") <= 2
    return near and _cue(read, text, cues.from_, cues.from_ending) and _cue(after, text, cues.to, cues.to_ending)


def _direction(clause: tuple[int, int], text: str, cues: _Cues) -> int:
    """+1 or -1 for the way a clause says the value goes (or the nearest clause before it that says one), 0
    when none says one or the clause says both."""
    start, end = clause
    while True:
        up = cues.up.search(text, start, end) is not None
        down = cues.down.search(text, start, end) is not None
        if up != down:
            return 1 if up else -1
        if up or start == 0:
            return 0
        end = start
        start = max([m.start() for m in cues.clause.finditer(text, 0, end)], default=0)


def _phrase(read: _Read, text: str, cues: _Cues) -> Phrase:
    """What one number asks (see the module's order)."""
    said, value, unit = text[read.start:read.end], read.number.value, read.unit
    more, less = cues.more.match(text, read.end), cues.less.match(text, read.end)
    if bool(more) != bool(less) and not (unit is not None and unit.symbol == "%"):  # "5 degrees higher"
        return Relative(abs(value) * (1 if more else -1), unit, True, said, read.start)
    if _cue(read, text, cues.to, cues.to_ending):
        return Absolute(value, unit, said, read.start)
    by, direction = _cue(read, text, cues.by), _direction(read.clause, text, cues)
    start, end = read.clause
    sets = _cue(read, text, cues.either) or cues.sets.search(text, start, end) is not None
    if unit is not None and unit.symbol == "%" and (by or direction or not sets):
        return Percent(abs(value) * (direction or 1), bool(direction), said, read.start)
    if read.number.signed and not by:
        return Relative(value, unit, True, said, read.start)
    if by or direction:
        return Relative(abs(value) * (direction or 1), unit, bool(direction), said, read.start)
    if sets:  # "ponlo en 175", "set it at 175", "run the pump at 50 %"
        return Absolute(value, unit, said, read.start)
    return Unclear(value, unit, said, read.start)
