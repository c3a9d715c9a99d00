"""Which of a product's options a request takes off ("drop the tamper-evident cap", "without UV", "ohne
Manipulationsschutz" read through its restatement), read by code: an option is named by the words of its id
("tamper_evident_cap": tamper, evident, cap; any one of them names it), and taken off when a removal word
comes before it in the same clause, or "off" right after it ("leave the cap off").

Which options a request asks for ("with UV protection", "glass-fibre reinforced and high gloss"): an option is
asked for when two words of its id or its name (one, for an option of one word) are in one clause, and not taken
off there ("how long" asks for no long-life).

A request in a language without a table here is read through its English restatement.
"""

from __future__ import annotations

import re
from functools import cache

from copilot.understanding.machines import stem

__all__ = ["options_dropped", "options_named"]

_W = r"\w*"
REMOVE = {
    "en": r"without|drop|remove|take off|lose|skip|no|minus|strip|leave out|delete|get rid of",
    "de": rf"ohne|entfern{_W}|weglass{_W}|streich{_W}|kein{_W}",
    "fr": rf"sans|enlèv{_W}|enlev{_W}|retir{_W}|supprim{_W}",
    "es": rf"sin|quit{_W}|elimin{_W}|retir{_W}",
    "it": rf"senza|togli{_W}|rimuov{_W}|elimin{_W}",
    "pt": rf"sem|tir{_W}|remov{_W}|elimin{_W}",
    "nl": rf"zonder|verwijder{_W}|weglat{_W}",
    "pl": rf"bez|usuń|usun{_W}",
    "cs": rf"bez|odeber{_W}|odstraň{_W}",
    "tr": r"olmadan|kaldır\w*|çıkar\w*",
}
"""The words that take an option off, per language (lower case, matched at word starts)."""
_CLAUSE = re.compile(r"[,;:.!?]|\b(?:and|but|then|und|aber|et|mais|y|pero|ma|mas|en|maar|ve)\b")
_WORD = re.compile(r"[^\W\d_]+")
_GENERIC = {"option", "finish", "with", "the"}


@cache
def _removal(lang: str) -> re.Pattern:
    words = "|".join(dict.fromkeys([REMOVE["en"], REMOVE.get(lang, REMOVE["en"])]))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


_ENDINGS = ("ation", "ions", "ion", "ments", "ment", "ised", "ized", "ises", "izes", "ise", "ize", "ed", "es", "y")


def _root(word: str) -> str:
    """A word's root for telling options by ("protected", "protection" → "protect"; "glossy" → "gloss")."""
    word = stem(word)
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _option_words(option: str) -> set[str]:
    return {_root(w) for w in option.lower().split("_") if len(w) >= 2 and w not in _GENERIC}


def options_dropped(text: str, options: list[str], lang: str = "en") -> list[str]:
    """The ``options`` that ``text`` takes off, in the order given; empty when it takes none off."""
    dropped = []
    for clause in _CLAUSE.split(text.lower()):
        words = [(m.start(), _root(m.group())) for m in _WORD.finditer(clause)]
        for option in options:
            named = [start for start, word in words if word in _option_words(option)]
            if not named:
                continue
            before, after = clause[:named[0]], clause[named[-1]:]
            if _removal(lang).search(before) or re.match(r"\w+(?:\s+\w+)?\s+off\b", after):
                dropped.append(option)
    return list(dict.fromkeys(o for o in options if o in dropped))


def options_named(text: str, options: dict[str, str], lang: str = "en") -> list[str]:
    """The ``options`` (ids and their names) that ``text`` asks for, in the order given; none it takes off."""
    dropped = set(options_dropped(text, list(options), lang))
    named = []
    for clause in _CLAUSE.split(text.lower()):
        said = {_root(m.group()) for m in _WORD.finditer(clause)}
        for option, name in options.items():
            words = _option_words(option) | _option_words(re.sub(r"\W+", "_", name))
            if len(said & words) >= min(2, len(words)) and option not in dropped:
                named.append(option)
    return list(dict.fromkeys(o for o in options if o in named))
