"""How a request says to choose a supplier: by price, by lead time or by carbon, in the request's own words.

A choice is read where the request names exactly one: "whoever delivers quickest" is lead time, "the greenest" is
carbon, "cheapest" is price, and "price doesn't matter" is lead time. Words for more than one, or none, say
nothing: the model's reading stands. The words are per language (copilot/understanding/choice_words.py).
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from copilot.understanding.choice_words import CARBON, LEAD_TIME, PRICE, PRICE_NOT


class Preference(StrEnum):
    """How to choose among a part's suppliers."""

    price = "price"
    lead_time = "lead_time"
    carbon = "carbon"


_WORDS = {Preference.price: PRICE, Preference.lead_time: LEAD_TIME, Preference.carbon: CARBON}


@cache
def _pattern(words: str) -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def _says(words: dict[str, str], text: str, lang: str) -> list[re.Match]:
    return list(_pattern(words[lang]).finditer(text)) if lang in words else []


def preference_in(text: str, lang: str = "en") -> Preference | None:
    """The one way to choose a supplier that ``text`` (in ``lang``) asks for, or None when it names none or several."""
    negated = _says(PRICE_NOT, text, lang)
    for match in reversed(negated):  # "price doesn't matter" names price only to set it aside
        text = text[:match.start()] + " " * len(match[0]) + text[match.end():]
    named = {p for p, words in _WORDS.items() if _says(words, text, lang)}
    if negated:
        named.discard(Preference.price)
        named = named or {Preference.lead_time}
    return named.pop() if len(named) == 1 else None


def without_choice_words(text: str) -> str:
    """``text`` with the words that say how to choose a supplier blanked, in any language ("lowest carbon" names no
    part with carbon in its name)."""
    for words in (PRICE_NOT, *_WORDS.values()):
        for lang in words:
            text = _pattern(words[lang]).sub(lambda m: " " * len(m[0]), text)
    return text
