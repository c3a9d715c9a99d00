"""The spare parts a request names in its own language, as the English words the plant file names parts by
(copilot/understanding/part_words.py): "łożyska" are bearings, "guarnizioni" seals or gaskets."""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.kind_words import COMPOUNDING
from copilot.understanding.part_words import PARTS

__all__ = ["part_words_said"]


@cache
def _patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    start = r"" if lang in COMPOUNDING else r"(?<!\w)"
    return [(english, re.compile(rf"{start}(?:{words[lang]})", re.IGNORECASE))
            for english, words in PARTS.items() if lang in words]


def part_words_said(text: str, lang: str) -> str:
    """The English words for the parts ``text`` (in ``lang``) names in its own words, space-separated ("" for
    English, or where it names none)."""
    return " ".join(english for english, pattern in _patterns(lang) if pattern.search(text))
