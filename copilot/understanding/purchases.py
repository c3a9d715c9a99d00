"""Whether a request asks to buy something, read by code in its language (copilot/understanding/purchase_words.py):
a maintenance request buys spare parts only where it says so."""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.purchase_words import BUY

__all__ = ["buying_said"]


@cache
def _buying(lang: str) -> re.Pattern:
    words = "|".join(dict.fromkeys([BUY["en"], BUY.get(lang, BUY["en"])]))
    return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)


def buying_said(texts: list[str], lang: str = "en") -> bool:
    """Whether the request (``texts[0]``, in ``lang``) asks to buy something; read in its English restatement
    (``texts[1:]``) only where the table has no words of that language (a restatement may say "order maintenance"
    for "mach einen Auftrag auf")."""
    if lang in BUY:
        return bool(_buying(lang).search(texts[0]))
    return any(_buying("en").search(text) for text in texts[1:])
