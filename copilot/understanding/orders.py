"""How a request names a production order by its place in the sequence: the one running now, or the next one.

Read where the request says exactly one of them, in any of the ten languages (copilot/understanding/order_words.py);
both or neither say nothing, and the order is then the one named or the line's running one.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from copilot.understanding.order_words import NEXT, RUNNING

__all__ = ["OrderPlace", "order_place_in"]


class OrderPlace(StrEnum):
    """Where an order stands in its line's sequence."""

    running = "running"  # in progress now
    next = "next"  # the first one planned after it


@cache
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE)


def order_place_in(text: str) -> OrderPlace | None:
    """The one place in the sequence ``text`` names an order by, or None when it names none or both ("the one
    after the current one" is the next one: the words of the next are taken out before the running one's are read)."""
    nexts = list(_pattern(tuple(NEXT.values())).finditer(text))
    for match in reversed(nexts):
        text = text[:match.start()] + " " * len(match[0]) + text[match.end():]
    named = {OrderPlace.next} if nexts else set()
    if _pattern(tuple(RUNNING.values())).search(text):
        named.add(OrderPlace.running)
    return named.pop() if len(named) == 1 else None
