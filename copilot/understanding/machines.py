"""Which machines of the plant a request names, read by code from the plant file: by id as people type it
("hp102", "P 101"), by the head word of its name or kind ("the press", "the moulder", "the oven"), by the other
words of its name and its model's brand ("the trim press", "the outfeed belt", "the Thermacure"; not the words of a
product's option: "water-repellent" names no water pump), and within a
line the request names ("the L2 oven", "the pump on line 1", "the filling line's conveyor"); where no word names
a machine, by a reading that only it has and alarms on ("the shade is off" is the dyer's shade deviation).

A word is compared by its stem (moulder, moulding and moulds are one word), so "pressure" is not "press". A word
right before "line" names the line ("the filling line"), not a machine; in another language, so do the words for
what a line does (copilot/understanding/line_words.py: "la ligne de finition"). In another language a machine is named
by the words for its kind ("le four", "die Pumpe", copilot/understanding/kind_words.py) and by its id; the rest
of the request is read through its English restatement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from connectors.plant import Machine, Plant
from copilot.understanding.kind_words import COMPOUNDING, KINDS
from copilot.understanding.line_words import LINE, PURPOSES

__all__ = ["lines_named", "machine_words", "machines_named", "stems"]

_GENERIC = {"machine", "line", "unit", "station", "process", "system", "the", "and", "for", "with"}
_WORD = re.compile(r"[a-z]+")
_LINE_NUMBER = re.compile(r"\b(?:line|linie|ligne|l[ií]nea|linea|linha|lijn|lini[ai]|link[ay]|hat|hatt\w*)"
                          r"\s*(?:n[ro°º]\.?\s*|č\.\s*)?(\d+)\b|\b(\d+)\.?\s*(?:hat(?!\w)|hatt\w*)")
"""A line by its number, in ten languages ("line 2", "ligne 2", "Linie 2", "linka č. 2", "2. hat")."""


def stem(word: str) -> str:
    """A word without its possessive and its usual English endings ("moulder", "moulding" → "mould";
    "presses" → "press"; "press" and "pressure" stay apart)."""
    word = word.lower().removesuffix("'s")
    for ending in ("ings", "ing", "ers", "er", "ors", "or"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    if re.search(r"(ss|x|sh|ch)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def stems(text: str) -> set[str]:
    """The stems of a text's words of three letters or more, less the generic ones (machine, line, ...)."""
    return {stem(w) for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _GENERIC}


@dataclass(frozen=True)
class _Words:
    """A machine's words: its id as typed, the head words that name it alone, and the words that narrow it."""

    id: re.Pattern
    heads: frozenset[str]
    others: frozenset[str]


def _id_pattern(ident: str) -> re.Pattern:
    parts = [re.escape(p) for p in re.split(r"[-_\s]+", ident) if p]
    return re.compile(r"(?<![a-z0-9])" + r"[\s_-]?".join(parts) + r"(?:'?s)?(?![a-z0-9])", re.IGNORECASE)


def _words(machine: Machine) -> _Words:
    return _words_of(machine.id, machine.name, machine.kind, machine.model)


@cache
def _words_of(ident: str, name: str, kind: str, model: str) -> _Words:
    named = [w for w in _WORD.findall(name.lower()) if w not in _GENERIC and len(w) >= 3]
    heads = {stem(w) for w in kind.lower().split("_") if w not in _GENERIC and len(w) >= 3}
    heads |= {stem(named[-1])} if named else set()
    brand = model.split()[0].lower() if model.split() else ""
    others = ({stem(w) for w in named} | ({stem(brand)} if brand.isalpha() else set())) - heads
    return _Words(_id_pattern(ident), frozenset(heads), frozenset(others))


def machine_words(machine: Machine) -> frozenset[str]:
    """The stems of the words that name a machine: its name's, its kind's and its model's brand."""
    words = _words(machine)
    return words.heads | words.others


def lines_named(text: str, plant: Plant) -> set[str]:
    """The lines ``text`` names: by id ("L2"), by number ("line 2", "ligne 2"), or by a word of its name before
    "line"."""
    low = text.lower()
    named = {line.id for line in plant.lines if _id_pattern(line.id).search(low)}
    numbers = {n for pair in _LINE_NUMBER.findall(low) for n in pair if n}
    named |= {line.id for line in plant.lines if re.sub(r"\D", "", line.id) in numbers}
    before = {stem(m[1]) for m in re.finditer(r"\b([a-z]+)\s+line\b", low)}
    named |= {line.id for line in plant.lines if before & stems(line.name)}
    return named | {line.id for line in plant.lines if _purposes_said(low) & stems(line.name)}


def _purposes_said(text: str) -> set[str]:
    """The stems of the English words for what a line does that ``text`` says in any of the ten languages, where it
    says "line" in one of them too ("la ligne de finition": finish)."""
    if not re.search(LINE, text):
        return set()
    return {stem(english) for english, words in PURPOSES.items() if re.search(rf"(?<!\w)(?:{words})", text)}


@cache
def _kind_words(lang: str) -> list[tuple[str, re.Pattern]]:
    start = r"" if lang in COMPOUNDING else r"(?<!\w)"
    return [(stem(english), re.compile(rf"{start}(?:{words[lang]})", re.IGNORECASE))
            for english, words in KINDS.items() if lang in words]


def kinds_said(text: str, lang: str) -> set[str]:
    """The stems of the English kind words that ``text`` (in ``lang``) says in its own words ("four" → "oven");
    a phrase read as one kind is not read as another ("presse à injecter" is no press)."""
    said = set()
    for english, pattern in _kind_words(lang):
        text, found = pattern.subn(" ", text)
        said |= {english} if found else set()
    return said


def machines_named(text: str, plant: Plant, *, lang: str = "en", readings: bool = True) -> list[str]:
    """The machines ``text`` (in ``lang``) names, best first: by id when it types any; else those whose words it
    says most (a head word counts twice), within the lines it names where any of them is there; else
    (``readings``) by a reading only one machine has. Empty when it names none."""
    low = text.lower()
    typed = [m.id for m in plant.machines.values() if _words(m).id.search(low)]
    if typed:
        return typed
    said = stems(re.sub(r"\b[a-z]+\s+line\b", " ", low)) | kinds_said(low, lang)
    said -= _option_words(said, plant)  # "water-repellent" names no water pump
    matched = {m.id: ((_words(m).heads | _words(m).others) & said, 2 * len(_words(m).heads & said)
                      + len(_words(m).others & said)) for m in plant.machines.values()}
    lines = lines_named(low, plant)
    on_lines = {i for i, (words, _) in matched.items() if words and plant.machines[i].line_id in lines}
    # "the L2 oven": an oven off L2 is not named where one on it is
    scores = {i: score for i, (words, score) in matched.items()
              if i in on_lines or not any(words <= matched[o][0] for o in on_lines)}
    best = max(scores.values(), default=0)
    if best:
        return [i for i, s in scores.items() if s == best]
    return _measuring(said, plant, lines) if readings else []


def _option_words(said: set[str], plant: Plant) -> set[str]:
    """The stems of each option of the plant whose every word ``said`` has ("water repellent", "high gloss")."""
    options = [stems(option.replace("_", " ")) for option in plant.options]
    return set().union(set(), *(words for words in options if len(words) > 1 and words <= said))


def _measuring(said: set[str], plant: Plant, lines: set[str]) -> list[str]:
    """The machines (on the lines named, where any is) with an alarmed reading that ``said`` names and no other
    machine has: by all its words ("barrel temp"), or by a word no other machine's alarmed readings share and no
    spare part's name has ("the shade"; "bearings" are parts)."""
    alarmed = {m.id: [t for t in m.tags.values() if t.alarm_high is not None or t.alarm_low is not None]
               for m in plant.machines.values()}
    forms = {i: [stems(t.words) for t in tags] + [stems(t.name.replace("_", " ")) for t in tags]
             for i, tags in alarmed.items()}
    words = {i: set().union(*f) for i, f in forms.items()}
    parts = set().union(*(stems(p.name) for p in plant.parts))

    def names(i: str) -> bool:
        others = [w for o, f in forms.items() if o != i for w in f]
        whole = any(form and form <= said and form not in others for form in forms[i])
        return whole or bool(said & words[i] - parts - set().union(*others))

    return [i for i in alarmed if (not lines or plant.machines[i].line_id in lines) and names(i)]
