"""Reading a table of words per language: which of its English entries a text says in its own language."""

from __future__ import annotations

import re

from copilot.understanding.kind_words import COMPOUNDING

__all__ = ["Table", "entries_said", "words_said"]

Table = dict[str, dict[str, str]]
"""English entry → language → a regular expression of the words that say it (lower case, at word starts)."""


def entries_said(table: Table, text: str, lang: str, *, english: bool = False) -> list[str]:
    """The entries of ``table`` that ``text`` (in ``lang``) says, in the table's order; ``english``: its English
    words count too. A language that glues words into compounds (de, nl) is matched inside words."""
    start = r"" if lang in COMPOUNDING else r"(?<!\w)"
    said = []
    for entry, words in table.items():
        written = [w for w in dict.fromkeys([words.get(lang), words.get("en") if english else None]) if w]
        if written and re.search(rf"{start}(?:{'|'.join(written)})", text, re.IGNORECASE):  # re caches the pattern
            said.append(entry)
    return said


def words_said(words: dict[str, str], texts: list[str], lang: str) -> bool:
    """Whether a request (``texts[0]``, in ``lang``) says one of ``words`` (language → a regular expression, at
    word starts; English counts in any language); read in its English restatement (``texts[1:]``) only where
    ``words`` has none of that language."""
    if lang in words:
        own = "|".join(dict.fromkeys([words["en"], words[lang]]))
        return re.search(rf"(?<!\w)(?:{own})", texts[0], re.IGNORECASE) is not None
    return any(re.search(rf"(?<!\w)(?:{words['en']})", text, re.IGNORECASE) for text in texts[1:])
