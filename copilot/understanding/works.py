"""Whether a request asks for work on a machine (a person sent, a job opened), read by code in its language
(copilot/understanding/work_words.py) and in English."""

from __future__ import annotations

from copilot.understanding.lexicon import words_said
from copilot.understanding.work_words import WORK

__all__ = ["work_asked"]


def work_asked(texts: list[str], lang: str = "en") -> bool:
    """Whether the request (``texts[0]``, in ``lang``) asks for work: a person sent or a job opened ("get a fitter
    to check the check ring"); read in its English restatement (``texts[1:]``) only where the table has no words of
    that language."""
    return words_said(WORK, texts, lang)
