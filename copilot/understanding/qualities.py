"""Which quantity a request means by how it says it, not by a tag's name: "how hot's the stenter running?" asks
about temperature, "a bit faster" about speed (copilot/understanding/quality_words.py), in the request's language
and in English."""

from __future__ import annotations

from copilot.understanding.lexicon import entries_said
from copilot.understanding.quality_words import QUALITIES

__all__ = ["qualities_said"]


def qualities_said(text: str, lang: str = "en") -> set[str]:
    """The English words of the quantities ``text`` (in ``lang``) means: temperature, speed, pressure."""
    return set(entries_said(QUALITIES, text, lang, english=True))
