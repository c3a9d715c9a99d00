"""Whether a request asks for work on a machine (a person sent, a job opened), read by code in its language
(copilot/understanding/work_words.py) and in English."""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.work_words import WORK

__all__ = ["work_asked"]


@cache
def _work(lang: str) -> re.Pattern:
    words = "|".join(dict.fromkeys([WORK["en"], WORK.get(lang, WORK["en"])]))
    return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)


def work_asked(texts: list[str], lang: str = "en") -> bool:
    """Whether the request (``texts[0]``, in ``lang``) asks for work: a person sent or a job opened ("get a fitter
    to check the check ring"); read in its English restatement (``texts[1:]``) only where the table has no words of
    that language."""
    if lang in WORK:
        return bool(_work(lang).search(texts[0]))
    return any(_work("en").search(text) for text in texts[1:])
