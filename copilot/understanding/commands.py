"""Whether a request asks to start or to stop a machine, read by code in its language
(copilot/understanding/command_words.py) and in English."""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.command_words import START, STOP

__all__ = ["commands_said"]


@cache
def _said(lang: str) -> dict[str, re.Pattern]:
    def pattern(table: dict[str, str]) -> re.Pattern:
        words = "|".join(dict.fromkeys([table["en"], table.get(lang, table["en"])]))
        return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)

    return {"start": pattern(START), "stop": pattern(STOP)}


def commands_said(text: str, lang: str = "en") -> set[str]:
    """The commands (``start``, ``stop``) that ``text`` (in ``lang``, or English) asks for; empty for none."""
    return {command for command, pattern in _said(lang).items() if pattern.search(text)}
