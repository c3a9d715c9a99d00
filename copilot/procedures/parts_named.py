"""Which spare part a request names, read by code: by its id or the digits of it ("the 6205s"), by the words of
its name (within the bill of materials of the machines the request names), or as the part the conversation named
last; the question to ask where that is unclear."""

from __future__ import annotations

import re
from typing import Any

from connectors.plant import Plant
from copilot.procedures.asked import operators_words
from copilot.understanding.choices import without_choice_words
from copilot.understanding.machines import machine_words, machines_named, stems
from copilot.understanding.parts import part_words_said

__all__ = ["grounded_part", "part_named"]


def part_named(value: str, text: str) -> bool:
    """Whether the request (upper case) names ``value``: the id, or one of its parts that carries digits ("6205",
    "the 6205s", "die 6205er Lager")."""
    return value.upper() in text or any(
        len(part) >= 3 and any(c.isdigit() for c in part) and re.search(rf"\b{re.escape(part)}(?:'?[^\W\d_]{{1,3}})?\b",
                                                                         text)
        for part in value.upper().split("-"))


def _fitting_parts(request: str, plant: Plant, machines: list[str]) -> list[str]:
    """The parts whose names the request's words fit (by stem, less the words that name the ``machines`` or how to
    choose a supplier: "lowest carbon" names no carbon seal); of those,
    the ones in the bill of materials of the ``machines`` where any is ("the bearings for the pump" are the pump's
    bearing, not every bearing in the store); of those, the ones whose names share the most words with it ("roller
    covers" are the roller cover, not the roller bearing)."""
    said = stems(without_choice_words(request)).difference(*(machine_words(plant.machines[m]) for m in machines),
                                     _machine_phrases(request, plant, machines))
    shared = {part.id: len(stems(part.name) & said) for part in plant.parts}
    fits = [p for p, n in shared.items() if n]
    fitted = {b.part for m in machines for b in plant.machines[m].bom}
    fits = [f for f in fits if f in fitted] or fits
    return [f for f in fits if shared[f] == max(shared[f] for f in fits)]


_PHRASE = re.compile(r"\b(?:for|on|of|at|from)\s+(.+?)(?=[,.;:!?\n]|\b(?:and|for|on|of|at|from|with)\b|$)")


def _machine_phrases(request: str, plant: Plant, machines: list[str]) -> set[str]:
    """The stems of each phrase after "for", "on", "of" ... that names one of the ``machines``: all its words name
    the machine ("bearings for the outfeed belt": "belt" is the conveyor, not a part to order)."""
    phrases = (m.group(1) for m in _PHRASE.finditer(operators_words(request).lower()))
    return {w for phrase in phrases if set(machines_named(phrase, plant)) & set(machines) for w in stems(phrase)}


def _last_part(text: str, plant: Plant, asked: str | None, lang: str) -> str | None:
    """The part the conversation (``text``) named last: of the parts its last message that types any types, the one
    whose name the request before (``asked``, in ``lang``) fits ("what bearings are in the padder?" answered with
    its bearing and its roller: the bearing); else the one typed last."""
    at = {p.id: max((m.end() for m in _typed(p.id, text)), default=-1) for p in plant.parts}
    last = max((i for i in at if at[i] >= 0), key=at.__getitem__, default=None)
    message = next((m for m in reversed(re.split(r"\n\s*\n", text)) if any(_typed(p, m) for p in at)), "")
    typed = [p for p in at if _typed(p, message)]
    if len(typed) > 1 and asked:
        own = part_words_said(asked, lang)
        fits = set(_fitting_parts(f"{asked}\n{own}", plant, [])) & set(typed)
        return fits.pop() if len(fits) == 1 else last
    return last


def _typed(part: str, text: str) -> list[re.Match]:
    return list(re.finditer(rf"(?<![\w-]){re.escape(part)}(?![\w-])", text, re.IGNORECASE))


def grounded_part(slots: dict[str, Any], name: str, required: bool, texts: list[str], machines: list[str],
                   plant: Plant, earlier: str, lang: str = "en", before: str | None = None) -> str | None:
    """A part the request does not name: the one its words fit (its own words for parts, in ``lang``, before its
    restatement's; within the bill of materials of the ``machines`` it names), else the part the conversation
    (``earlier``, after the operator's request ``before`` this one) named last, else none at all; the question to
    ask when several fit, or when it is required and fits none."""
    own = part_words_said(texts[0], lang)  # the operator's own word for the part before a restatement's
    fits = _fitting_parts(f"{texts[0]}\n{own}" if own else "\n".join(texts), plant, machines)
    names = {p.id: p.name for p in plant.parts}
    last = _last_part(earlier, plant, before, lang)
    if len(fits) == 1:  # the one part whose name the request says, not the model's pick
        slots[name] = fits[0]
    elif fits:
        return f"Which part do you mean: {'; '.join(f'{f} ({names[f]})' for f in fits)}?"
    elif last is not None:  # "six, and whoever's quickest": of the part just talked about
        slots[name] = last
    else:
        del slots[name]
        bom = [b.part for m in machines for b in plant.machines[m].bom]
        if required and bom:
            return f"Which part of {' and '.join(machines)}: {'; '.join(f'{p} ({names[p]})' for p in bom)}?"
    return None
