"""Which quantity a request means by how it says it, not by a tag's name: "how hot's the stenter running?" asks
about temperature, "a bit faster" about speed (copilot/understanding/quality_words.py), in the request's language
and in English."""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.quality_words import QUALITIES

__all__ = ["qualities_said"]


@cache
def _pattern(lang: str, english: str) -> re.Pattern:
    words = "|".join(dict.fromkeys([QUALITIES[english]["en"], QUALITIES[english].get(lang, QUALITIES[english]["en"])]))
    return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)


def qualities_said(text: str, lang: str = "en") -> set[str]:
    """The English words of the quantities ``text`` (in ``lang``) means: temperature, speed, pressure."""
    return {english for english in QUALITIES if _pattern(lang, english).search(text)}
