"""Whether a request asks to buy something, read by code in its language (copilot/understanding/purchase_words.py):
a maintenance request buys spare parts only where it says so."""

from __future__ import annotations

from copilot.understanding.lexicon import words_said
from copilot.understanding.purchase_words import BUY

__all__ = ["buying_said"]


def buying_said(texts: list[str], lang: str = "en") -> bool:
    """Whether the request (``texts[0]``, in ``lang``) asks to buy something; read in its English restatement
    (``texts[1:]``) only where the table has no words of that language (a restatement may say "order maintenance"
    for "mach einen Auftrag auf")."""
    return words_said(BUY, texts, lang)
