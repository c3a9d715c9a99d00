"""Relative versus absolute: what each number of a request asks of a value, per language.

Each number is read with its unit (copilot/understanding/units.py) and the words around it
(copilot/understanding/phrase_words.py), in this order:

1. a percentage is a percentage change ("ten percent slower"), or the value itself after a to-word
   ("set it to 50 %");
2. a word right before it: to ("to 175", "up to 175", "auf 175", "à 175", Turkish "175'e") or by ("by 5",
   "up 5", "um 5", "de 5"); a from-value followed by a to-value ("from 24 to 28") is no change at all;
3. a sign of its own ("+5", "-5") is by that much;
4. a direction in its clause ("raise it 5", "5 more", "100 rpm slower") is by that much, up or down;
5. a verb that sets ("set it 175") is to;
6. anything else is unclear: the model's reading stands.

A by-change or a percentage takes its sign from the direction the clause says (or, when it says none, the
clause before); where no clause says one, it is unsigned. "Double it", "halve it" are +100 % and -50 %.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from copilot.understanding.numbers import Number, numbers
from copilot.understanding.phrase_words import AND, BY, DOWN, EITHER, ENDINGS, FACTORS, FILLER, FROM, SET, TO, UP
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
    lang = lang if lang in TO else "en"
    filler = rf"(?:(?:{FILLER[lang]})\s+)?"
    before = {name: re.compile(rf"(?<!\w)(?:{table[lang]})\s*{filler}$", re.IGNORECASE)
              for name, table in (("to", TO), ("by", BY), ("from", FROM), ("either", EITHER)) if lang in table}
    anywhere = {name: re.compile(rf"(?<!\w)(?:{table[lang]})(?!\w)", re.IGNORECASE)
                for name, table in (("up", UP), ("down", DOWN), ("set", SET))}
    endings = {name: re.compile(rf"{e}(?!\w)", re.IGNORECASE)
               for name, e in zip(("to_ending", "from_ending"), ENDINGS.get(lang, ()), strict=False)}
    clause = {"clause": re.compile(rf"[;:!?]|[.,](?!\d)|(?<!\w)(?:{AND[lang]})(?!\w)", re.IGNORECASE)}
    return {**before, **anywhere, **endings, **clause}


def phrases(text: str, lang: str) -> list[Phrase]:
    """What each number of ``text`` (in ``lang``) asks, and each factor word ("double it"), in order."""
    words = _words(lang)
    factors = _factors(text, lang)
    reads = [_read(n, text, lang, words) for n in numbers(text, lang)
             if not any(s <= n.start < e for s, e, _ in factors)]
    found: list[Phrase] = [Percent(pct, True, text[s:e], s) for s, e, pct in factors]
    for index, read in enumerate(reads):
        after = reads[index + 1] if index + 1 < len(reads) else None
        if _is_from(read, after, text, words):
            continue
        found.append(_phrase(read, text, words))
    return sorted(found, key=lambda p: p.start)


def _factors(text: str, lang: str) -> list[tuple[int, int, float]]:
    table = FACTORS[lang if lang in FACTORS else "en"]
    return [(m.start(), m.end(), float(pct)) for pattern, pct in table.items()
            for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", text, re.IGNORECASE)]


def _read(number: Number, text: str, lang: str, words: dict[str, re.Pattern]) -> _Read:
    unit = unit_after(text, number.end, lang)
    prefix = None if unit else unit_before(text, number.start, lang)
    start = prefix.start if prefix else number.start
    end = unit.end if unit else number.end
    bounds = [m.start() for m in words["clause"].finditer(text)]
    clause = (max([b for b in bounds if b < start], default=0), min([b for b in bounds if b >= end], default=len(text)))
    return _Read(number, unit or prefix, start, end, clause)


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


def _direction(read: _Read, text: str, words: dict[str, re.Pattern]) -> int:
    """+1 or -1 for the way the number's clause says the value goes (or the nearest clause before that says
    one), 0 when none says one or its clause says both."""
    start, end = read.clause
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
    to = _cue(read, text, words, "to")
    percent = unit is not None and unit.symbol == "%"
    direction = _direction(read, text, words)
    if percent and not to:
        return Percent(abs(value) * (direction or 1), bool(direction), said, read.start)
    if to:
        return Absolute(value, unit, said, read.start)
    if read.number.signed and not _cue(read, text, words, "by"):
        return Relative(value, unit, True, said, read.start)
    either = _cue(read, text, words, "either")
    if _cue(read, text, words, "by") or direction or (either and direction):
        return Relative(abs(value) * (direction or 1), unit, bool(direction), said, read.start)
    start, end = read.clause
    if either or words["set"].search(text, start, end):
        return Absolute(value, unit, said, read.start)
    return Unclear(value, unit, said, read.start)
