"""Whether a request asks to buy something, read by code in its language (copilot/understanding/purchase_words.py)
and in English: a maintenance request buys spare parts only where it says so."""

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
    """Whether the request (``texts[0]``, in ``lang``; then its English restatement) asks to buy something."""
    return any(_buying(lang if i == 0 else "en").search(text) for i, text in enumerate(texts))
