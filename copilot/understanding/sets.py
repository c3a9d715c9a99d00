"""Whether a request asks for a set of a part ("a full set of bearings for the conveyor", "einen Satz Lager"):
as many as one machine takes, the part's count in that machine's bill of materials.

Told by words per language; "set" as a verb ("set the oven to 180") is not a set: a set is said after an article
or an adjective, or followed by "of".
"""

from __future__ import annotations

import re
from functools import cache

from connectors.plant import Machine

__all__ = ["set_count"]

_SETS = {
    "en": r"(?:a|one|full|complete|whole|new|fresh) set|set of",
    "de": r"(?:einen|ein|kompletten|vollen|ganzen|neuen) satz|satz (?:an|von|neuer)",
    "fr": r"(?:un|le) jeu(?: complet)?|jeu complet",
    "es": r"(?:un|el) juego(?: completo)?|juego completo",
    "it": r"(?:un|il) set(?: completo)?|(?:una|la) serie completa",
    "pt": r"(?:um|o) jogo(?: completo)?|jogo completo",
    "nl": r"(?:een|de) (?:volledige |complete )?set",
    "pl": r"(?:pełny |cały |nowy )?komplet",
    "cs": r"(?:celou |kompletní |novou )?sadu",
    "tr": r"(?:bir |tam )?takım",
}


@cache
def _pattern(lang: str) -> re.Pattern:
    words = "|".join(dict.fromkeys([_SETS.get(lang, _SETS["en"]), _SETS["en"]]))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def set_count(texts: list[str], lang: str, machine: Machine, part: str) -> int | None:
    """How many of ``part`` a request asks for when it asks for a set of it for ``machine`` (the first text in
    ``lang``, the others, such as its English restatement, in English): the machine's count of the part; None
    when it asks for no set or the part is not the machine's."""
    if not any(_pattern(lang if i == 0 else "en").search(text) for i, text in enumerate(texts)):
        return None
    return next((line.qty for line in machine.bom if line.part == part), None)
