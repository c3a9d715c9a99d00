"""Numbers as people write and say them, per language: digits with the language's separators, number words and
the idioms for a quantity, each found with its place in the text.

- Digits: the language's decimal separator divides ("2,5" in German, "2.5" in English); the other one groups
  when every group after it has three digits ("1,200" in English, "1.200" in German are 1200), and divides
  otherwise ("2.5" in German is 2.5); both in one number: the last divides. A no-break space groups ("1 200").
  A digit glued to a letter or a dash after one (P-101, L2, BRG-6205) is part of a name, not a number.
- Words: text_to_num for en, de, fr, es, it, pt, nl; small tables for pl, cs, tr (copilot/understanding/
  number_words.py). An indefinite article alone ("un peu", "ein bisschen") and an ordinal are no number.
- Idioms: "a dozen", "half a dozen", "two dozen", "a couple of", "two and a half", "zweieinhalb" and their
  kin in each language. "A few", "some", "ein paar" are no number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from text_to_num import find_numbers

from copilot.understanding.number_words import (
    AND_A_HALF,
    ARTICLES,
    BOUND,
    DECIMAL_COMMA,
    DOZEN,
    GLUED_HALF,
    IDIOMS,
    LANGUAGES,
    MULTIPLIERS,
    SCALES,
    SUFFIXES,
    TEXT_TO_NUM,
    WORDS,
)


@dataclass(frozen=True)
class Number:
    """A number in a text: its value, where it stands (``text[start:end]``), and whether it was written
    with a sign of its own ("+5", "-20")."""

    value: float
    start: int
    end: int
    signed: bool = False


_DIGITS = re.compile(r"(?<![\d.,])([+\-−])?(\d+(?:[.,]\d+|[\u00a0\u202f]\d{3}(?!\d))*)(?!\d|(?:st|nd|rd|th)\b)")
_NAMED = re.compile(r"[^\W\d][\w\-−]*$")
"""What stands before the digits of a name, in the same word: a letter, then letters, digits and dashes (L2, P-101,
PO-L2-0107); the second number of a range (170-175) has none."""
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[^\w\s]")


def numbers(text: str, lang: str) -> list[Number]:
    """Every number of ``text`` in language ``lang`` (an ISO 639-1 code; another reads as English), in order."""
    lang = lang if lang in LANGUAGES else "en"
    found = _idioms(text, lang)
    found += [n for n in _digits(text, lang) if not _within(n, found)]
    found += [n for n in _words(text, lang) if not _within(n, found)]
    kept: list[Number] = []
    for number in sorted((_extended(n, text, lang) for n in found), key=lambda n: (n.start, -n.end)):
        if not _within(number, kept):  # "dozen" of "two dozen" is in the 24
            kept.append(number)
    return kept


def in_digits(text: str, lang: str) -> str:
    """The text with each number it says written in digits ("zehn Prozent" → "10 Prozent", "a dozen" → "12")."""
    out, at = [], 0
    for number in numbers(text, lang):
        value = number.value
        out += [text[at:number.start], str(int(value)) if value.is_integer() else f"{value:.12g}"]
        at = number.end
    return "".join(out) + text[at:]


def _within(number: Number, found: list[Number]) -> bool:
    return any(n.start < number.end and number.start < n.end for n in found)


def _idioms(text: str, lang: str) -> list[Number]:
    """The phrases that are a number in themselves ("half a dozen"), the longest first."""
    found: list[Number] = []
    for pattern, value in IDIOMS[lang].items():
        for match in re.finditer(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE):
            number = Number(float(value), match.start(), match.end())
            if not _within(number, found):
                found.append(number)
    return found


def _digits(text: str, lang: str) -> list[Number]:
    found = []
    for match in _DIGITS.finditer(text):
        if _NAMED.search(text, 0, match.start()):
            continue
        sign, written = match.group(1), match.group(2)
        value = digits_value(written, lang)
        found.append(Number(-value if sign in ("-", "−") else value, match.start(), match.end(), sign is not None))
    return found


def digits_value(written: str, lang: str) -> float:
    """The value of a number written in digits with separators, read the way ``lang`` writes them."""
    written = re.sub(r"[\u00a0\u202f]", "", written)
    decimal = "," if lang in DECIMAL_COMMA else "."
    marks = [c for c in written if c in ".,"]
    if not marks:
        return float(written)
    if len(set(marks)) == 2:  # 1.234,5 or 1,234.5: the last mark divides
        decimal = marks[-1]
    elif marks[0] != decimal:  # the other mark: it groups when every group after it has three digits
        groups = written.split(marks[0])[1:]
        decimal = decimal if all(len(g) == 3 for g in groups) else marks[0]
    elif len(marks) > 1:  # the decimal mark more than once groups (1.234.567 in English)
        decimal = "," if decimal == "." else "."
    grouping = "," if decimal == "." else "."
    return float(written.replace(grouping, "").replace(decimal, "."))


class _Token:
    """A token as text_to_num's find_numbers reads it."""

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: _Token) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


def _words(text: str, lang: str) -> list[Number]:
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if lang in TEXT_TO_NUM:
        found = _text_to_num(tokens, lang)
    else:
        found = _from_table(tokens, lang)
    articles = ARTICLES.get(lang, set())
    return [n for n in found if text[n.start:n.end].lower() not in articles]


def _text_to_num(tokens: list[tuple[str, int, int]], lang: str) -> list[Number]:
    found = []
    glued = GLUED_HALF.get(lang)
    # a digit token goes to text_to_num as a stop ("|"): digits are read by _digits, with the language's marks
    stream = [_Token("|" if word.isdigit() else word) for word, _, _ in tokens]
    for occurrence in find_numbers(stream, lang, 0):
        if not occurrence.is_ordinal:
            start, end = tokens[occurrence.start][1], tokens[occurrence.end - 1][2]
            found.append(Number(float(occurrence.value), start, end))
    for word, start, end in tokens:
        if glued and word.lower().endswith(glued) and len(word) > len(glued):
            whole = _text_to_num([(word[:-len(glued)], start, end)], lang)
            found += [Number(whole[0].value + 0.5, start, end)] if whole else []
    return found


def _table_word(word: str, lang: str) -> tuple[float, str] | None:
    """A number word of ``lang``'s table, read off any case ending: its value and the stem's text."""
    table, word = WORDS[lang], word.lower()
    if word in table:
        return table[word], word
    for suffix in SUFFIXES.get(lang, ()):
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= 3 and stem in table:  # "ona" is "to her", not "to ten"
            return table[stem], stem
    return None


def _from_table(tokens: list[tuple[str, int, int]], lang: str) -> list[Number]:
    """Runs of number words from the language's table, composed ("sto siedemdziesiąt pięć" → 175)."""
    found: list[Number] = []
    run: list[tuple[float, str, int, int]] = []
    for word, start, end in [*tokens, ("|", 0, 0)]:
        read = _table_word(word, lang)
        if read is not None and run and _fits(run, read[0], read[1], lang):
            run.append((read[0], read[1], start, start + len(read[1])))
            continue
        if run:
            found.append(Number(sum(_parts(run, lang)), run[0][2], run[-1][3]))
        alone = read is not None and read[1] not in BOUND.get(lang, ())
        run = [(read[0], read[1], start, start + len(read[1]))] if alone else []
    return found


def _parts(run: list[tuple[float, str, int, int]], lang: str) -> tuple[float, float]:
    """The thousands of a run of number words, and what follows the last thousand."""
    total, current = 0.0, 0.0
    for value, word, _, _ in run:
        if word in MULTIPLIERS[lang] and value == 1000:
            total, current = total + (current or 1) * 1000, 0.0
        elif word in MULTIPLIERS[lang]:
            current = (current or 1) * value
        else:
            current += value
    return total, current


def _fits(run: list[tuple[float, str, int, int]], value: float, word: str, lang: str) -> bool:
    """Whether a number word continues the run before it: a multiplier, or a smaller part the run has room
    for (170 then 5, not 5 then 6)."""
    if word in MULTIPLIERS[lang]:
        return True
    return _parts(run, lang)[1] % (10 ** len(str(int(value)))) == 0


@cache
def _after(lang: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    scales = "|".join(rf"(?P<s{i}>{word})" for i, word in enumerate(SCALES[lang]))
    return (re.compile(rf"\s*(?:{DOZEN[lang]})(?!\w)", re.IGNORECASE),
            re.compile(rf"\s*(?:{AND_A_HALF[lang]})(?!\w)", re.IGNORECASE),
            re.compile(rf"(?:k|\s+(?:{scales}))(?!\w)", re.IGNORECASE))


def _extended(number: Number, text: str, lang: str) -> Number:
    """The number with what follows it and changes it: "32 thousand", "32k" (×1000, digits only), "two dozen"
    (×12), "two and a half" (+0.5)."""
    dozen, half, scale = _after(lang)
    if text[number.start:number.end][-1:].isdigit() and (match := scale.match(text, number.end)):
        named = next((i for i, word in enumerate(match.groupdict().values()) if word), None)
        factor = 1000 if named is None else list(SCALES[lang].values())[named]
        number = Number(number.value * factor, number.start, match.end(), number.signed)
    if match := dozen.match(text, number.end):
        number = Number(number.value * 12, number.start, match.end(), number.signed)
    if match := half.match(text, number.end):
        number = Number(number.value + 0.5, number.start, match.end(), number.signed)
    return number
