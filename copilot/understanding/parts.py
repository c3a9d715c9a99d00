"""The spare parts a request names in its own language, as the English words the plant file names parts by
(copilot/understanding/part_words.py): "łożyska" are bearings, "guarnizioni" seals or gaskets."""

from __future__ import annotations

from copilot.understanding.lexicon import entries_said
from copilot.understanding.part_words import PARTS

__all__ = ["part_words_said"]


def part_words_said(text: str, lang: str) -> str:
    """The English words for the parts ``text`` (in ``lang``) names in its own words, space-separated ("" for
    English, or where it names none)."""
    return " ".join(entries_said(PARTS, text, lang))
