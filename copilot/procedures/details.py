"""Whether a request only adds details to the one before it ("make it 2, and whoever's quickest"): a number or a way
to choose, in a few words, naming nothing of its own: no machine, line, part, order or product, and no question."""

from __future__ import annotations

import re

from connectors.plant import Plant
from copilot.procedures.features import product_said
from copilot.procedures.questions import is_question
from copilot.understanding.choices import preference_in
from copilot.understanding.machines import lines_named, machines_named
from copilot.understanding.numbers import numbers

__all__ = ["adds_detail"]

MAX_WORDS = 8
"""A reply longer than this asks something of its own."""

_ID = re.compile(r"\b[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9-]*\d")


def adds_detail(request: str, lang: str, plant: Plant) -> bool:
    """Whether ``request`` (in ``lang``) is a short reply that says a number or how to choose a supplier, and names
    no machine, line, id or product."""
    if is_question(request) or len(request.split()) > MAX_WORDS:
        return False
    if machines_named(request, plant, lang=lang) or lines_named(request, plant) or _ID.search(request) \
            or product_said(request, plant):
        return False
    return bool(numbers(request, lang)) or preference_in(request, lang) is not None
