"""The answer of a procedure: its lines, in the operator's language.

In English the answer is the lines themselves (what was found, decided, done,
refused and why, what waits), so it can claim nothing that did not happen. In
another language the model words those lines in it, told to keep every id,
number, unit and citation; a wording that brings a number or an id the lines do
not have (the 1.5B model sometimes "translates" 235 into 265), or is not in
the operator's language (it sometimes summarises in English), is not used:
the lines are the answer then.
"""

from __future__ import annotations

import re
from collections import Counter

from langchain_core.messages import HumanMessage

from copilot.procedures.grounding import ID_WORD
from copilot.procedures.language import LANGUAGE_NAMES, language_of
from copilot.procedures.run import ProcedureRun, RunState


def answer_lines(run: ProcedureRun) -> str:
    """The run's answer in English: its question when it asks back, else its lines (and the reason
    it stopped) as a list; "Done." when it has none."""
    if run.outcome is RunState.asking:
        return run.reason
    lines = list(run.lines)
    if run.outcome is RunState.stopped and run.reason not in lines:
        lines.append(run.reason)
    if not lines:
        return "Done."
    return "\n".join(f"- {line[:1].upper()}{line[1:]}" for line in lines)


def needs_wording(run: ProcedureRun) -> bool:
    """Whether the answer goes through the model to be written in the run's language (a known
    language other than English)."""
    return run.lang != "en" and run.lang in LANGUAGE_NAMES


def wording_request(text: str, lang: str) -> HumanMessage:
    """What the model is asked to write: the facts, in the operator's language, nothing added."""
    return HumanMessage(
        f"Write this reply to the operator in {LANGUAGE_NAMES[lang]}. Keep every machine id, part number, "
        f"number, unit and [citation] exactly; add nothing, leave nothing out:\n\n{text}"
    )


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _digits(text: str) -> set[str]:
    """The numbers of a text as their digits (so 12000, 12.000 and 12,000 or 2.5 and 2,5 are the same)."""
    return {re.sub(r"[.,]", "", n).lstrip("0") or "0" for n in _NUMBER.findall(text)}


def faithful(worded: str, lines: str) -> bool:
    """Whether a wording keeps to the lines: no number and no id that they do not have."""
    return (bool(worded.strip()) and _digits(worded) <= _digits(lines)
            and set(ID_WORD.findall(worded)) <= set(ID_WORD.findall(lines)))


_SENTENCE = re.compile(r"[^\n]+?(?:[.!?](?=\s|$)|$)", re.MULTILINE)


def told_once(worded: str) -> str:
    """A wording up to the first sentence of three words or more that it says again (a small model that ran on
    repeating itself stops there)."""
    seen: set[str] = set()
    for sentence in _SENTENCE.finditer(worded):
        said = " ".join(sentence.group().lower().split())
        if len(said.split()) < 3:
            continue
        if said in seen:
            return worded[:sentence.start()].rstrip()
        seen.add(said)
    return worded


def _marks(text: str) -> set[str]:
    """The numbers (as digits) and ids of a text: what a wording of it must keep."""
    return _digits(text) | set(ID_WORD.findall(text))


def leaves_no_line_out(worded: str, lines: str) -> bool:
    """Whether a wording says something of every line that holds a number or an id: it keeps one of them."""
    kept = _marks(worded)
    return all(kept & marks for marks in map(_marks, lines.splitlines()) if marks)


_PHRASE = re.compile(r"[^.:;!?\n]+")


def repeats_itself(worded: str) -> bool:
    """Whether a wording says a phrase of three words or more three times or more (a small model running on)."""
    counted = Counter(" ".join(p.lower().split()) for p in _PHRASE.findall(worded))
    return any(n >= 3 and len(p.split()) >= 3 for p, n in counted.items())


def stands_for(worded: str, lines: str, lang: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether a wording of the lines may be the answer: faithful to them, keeping the id each line is about (its
    first: an operator acts on a part number or an order id, and a follow-up names "those" by it) unless it is one
    the operator knows (``known``: the machines), leaving no line out, not running on, and in the operator's
    language (as far as it can be told: the small model sometimes summarises in English)."""
    about = {ids[0] for line in lines.splitlines() if (ids := ID_WORD.findall(line))} - known
    return (faithful(worded, lines) and about <= set(ID_WORD.findall(worded))
            and leaves_no_line_out(worded, lines) and not repeats_itself(worded)
            and language_of(worded, lang) == lang)


def restating_request(request: str, lang: str) -> HumanMessage:
    """What a small model is asked before it chooses, for a request in another language: the request in
    English (it fills slots far better from English, e.g. the sign of "um 5 Grad senken")."""
    return HumanMessage(
        f"Translate this {LANGUAGE_NAMES[lang]} request of an operator into English. Keep every machine id, part "
        f"number and number exactly:\n\n{request}"
    )
