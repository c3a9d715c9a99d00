"""A request of several tasks ("take the barrel down 5 and get maintenance to check the controller"), told
apart so each is chosen, carried out and answered on its own.

Code tells whether a request may hold several (it joins clauses with a word such as "and", "then" or
"und"; it is no question); the model then writes the tasks, one a line, in the operator's words. A list
that brings a number or an id the request does not have, or a task not mostly in the request's words, is
not used: the request stays one task.
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from connectors.plant import Machine, Plant
from copilot.procedures.answer import faithful
from copilot.procedures.features import configuration_said
from copilot.procedures.questions import is_question
from copilot.understanding.machines import lines_named, machine_words, machines_named, stems

TASKS = "tasks"
"""The name under which the tasks a request was told apart into are kept in the conversation."""
MAX_TASKS = 3

_JOINING = {
    "en": r"and|then|also|plus|as well as|while you're at it",
    "de": r"und|dann|sowie|außerdem|danach",
    "fr": r"et|puis|ensuite|aussi",
    "es": r"y|luego|después|también",
    "it": r"e|poi|anche",
    "pt": r"e|depois|também",
    "nl": r"en|dan|daarna|ook",
    "pl": r"i|oraz|potem|też",
    "cs": r"a|pak|potom|také",
    "sv": r"och|sedan|också",
    "tr": r"ve|sonra|ayrıca|da|de",
}
_LISTED = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def may_hold_several(request: str, lang: str) -> bool:
    """Whether a request may ask for several things: no question, and two clauses joined by a word of its
    language (or a semicolon)."""
    if is_question(request):
        return False
    words = _JOINING.get(lang, _JOINING["en"])
    return bool(re.search(rf"(?:^|[\s,])(?:{words})\s", request, re.IGNORECASE) or ";" in request)


_EXAMPLES = [
    ("the press cylinder is leaking, lower its pressure by 10 bar and open a work order",
     "lower the press pressure by 10 bar\nopen a work order for the press, the cylinder is leaking"),
    ("order three belts and two rollers for the conveyor, cheapest",
     "order three belts for the conveyor, cheapest\norder two rollers for the conveyor, cheapest"),
    ("Stell den Füller auf 495 ml und 80 Flaschen pro Minute",
     "Stell den Füller auf 495 ml und 80 Flaschen pro Minute"),
    ("the guard is back on, start the mixer", "start the mixer, the guard is back on"),
]
_ASK = ("Split an operator's request into the separate tasks it asks for, one task per line, in the request's own "
        "words and language; write only the tasks. Name in each task the machine, line, part or order it is about. "
        "What the operator only tells (a symptom, a fact) is no task of its own: it goes with the task it explains. "
        "Several setpoints of one machine are one task. Add nothing else.\n\nRequest: ")


def telling_apart(request: str, *, as_turns: bool) -> list[AnyMessage]:
    """What the model is asked: the request's tasks, one a line, each standing on its own. ``as_turns``: the
    examples as turns of the conversation (a small model follows those far better than rules or examples in
    words); otherwise in the message."""
    if as_turns:
        turns: list[AnyMessage] = []
        for said, tasks in _EXAMPLES:
            turns += [HumanMessage(_ASK + said), AIMessage(tasks)]
        return [*turns, HumanMessage(_ASK + request)]
    shown = "\n\n".join(f"Request: {said}\nTasks:\n{tasks}" for said, tasks in _EXAMPLES)
    return [HumanMessage(f"{_ASK}{request}\n\nFor example:\n\n{shown}")]


_WORD = re.compile(r"\w+")
_OWN_WORDS = 0.7  # the share of a task's words the request must hold


def _in_own_words(task: str, request: str) -> bool:
    """Whether a task is written mostly in the request's words (not copied from an example, nor made up)."""
    words = _WORD.findall(task.lower())
    known = set(_WORD.findall(request.lower()))
    return bool(words) and sum(w in known for w in words) >= _OWN_WORDS * len(words)


def _comma_joined(line: str, request: str, lang: str) -> list[str]:
    """The request's clauses, where the model wrote its tasks on one line with a comma where the request joins
    them with a word ("take the barrel down 5 and get maintenance in" → "take the barrel down 5, get
    maintenance in", in either order); else none."""
    joining = rf",?\s+(?:{_JOINING.get(lang, _JOINING['en'])})\s+"
    clauses = [c.strip(" ,") for c in re.split(joining, request.strip(" .!"), flags=re.IGNORECASE)]
    pieces = [p.strip() for p in line.strip(" .!").split(",")]
    if len(clauses) < 2 or not all(clauses):
        return []
    found = all(any(", ".join(pieces[i:j]) == clause for i in range(len(pieces)) for j in range(i + 1, len(pieces) + 1))
                for clause in clauses)
    return clauses if found else []


def tasks_of(written: str, request: str, digits: str = "", lang: str = "en") -> list[str]:
    """The tasks the model wrote, when there are several and they keep to the request (no number or id it
    does not have; ``digits``: the request with its number words in digits); otherwise the request alone."""
    lines = [_LISTED.sub("", line).strip().strip('"') for line in written.splitlines()]
    tasks = [line for line in lines if line][:MAX_TASKS]
    if len(tasks) == 1 and len(clauses := _comma_joined(tasks[0], request, lang)) <= MAX_TASKS:
        tasks = clauses or tasks
    said = f"{request}\n{digits}"
    if len(tasks) < 2 or not all(faithful(task, said) and _in_own_words(task, said) for task in tasks):
        return [request]
    return _apart(tasks, lang)


_SMALL = {"it", "its", "them", "that", "this", "there", "to", "a", "an", "of", "for", "on", "in", "at", "with"}


def _content(clause: str) -> set[str]:
    return stems(clause) - _SMALL - _ARTICLES


def _apart(tasks: list[str], lang: str) -> list[str]:
    """The tasks without overlap: a clause whose words another task's clause holds, and more, is that task's ("stop
    the padder, get a fitter to it" beside "get a fitter to the padder, the bearings are going" is only "stop the
    padder"); a clause two tasks share alike ("cheapest") stays with each, and a task keeps at least one clause."""
    split = re.compile(rf"\s*(?:,|;|(?<!\w)(?:{_JOINING.get(lang, _JOINING['en'])})(?!\w))\s*", re.IGNORECASE)
    clauses = [[c.strip() for c in split.split(task) if c.strip()] for task in tasks]
    out = []
    for i, own in enumerate(clauses):
        elsewhere = [_content(c) for j, theirs in enumerate(clauses) if j != i for c in theirs]
        kept = [c for c in own if not any(_content(c) < other for other in elsewhere)]
        out.append(", ".join(kept) if kept and len(kept) < len(own) else tasks[i])
    return out


_ARTICLES = {"the", "der", "die", "das", "den", "dem", "les", "las", "los", "het", "een", "una", "uno", "une", "des",
             "del", "della", "dello", "bir"}


def _asks_of(clause: str, machine: Machine) -> bool:
    """Whether a clause says something of its machine beyond naming it: a number, or a word of its own."""
    return bool(re.search(r"\d", clause)) or bool(stems(clause) - machine_words(machine) - _ARTICLES)


def one_machine_each(tasks: list[str], plant: Plant, lang: str = "en") -> list[str]:
    """The tasks, one that names several machines in clauses of their own ("conveyor up 5, filler speed up 10")
    split into those clauses: each names one machine, no two the same."""
    split = re.compile(rf"\s*(?:,|;|(?<!\w)(?:{_JOINING.get(lang, _JOINING['en'])})(?!\w))\s*", re.IGNORECASE)
    told: list[str] = []
    for task in tasks:
        clauses = [c for c in split.split(task) if c.strip()]
        named = [machines_named(c, plant, lang=lang, readings=False) for c in clauses]
        each = len(clauses) > 1 and all(len(n) == 1 for n in named) and len({n[0] for n in named}) == len(named) \
            and all(_asks_of(c, plant.machines[n[0]]) for c, n in zip(clauses, named, strict=True))
        told += clauses if each else [task]
    return told if len(tasks) < len(told) <= MAX_TASKS else tasks  # more than can be carried out: none split


def with_subject(tasks: list[str], request: str, plant: Plant, lang: str = "en") -> list[str]:
    """The tasks, each naming what the request is about: a task that names no machine (by id or words), no line and
    no production order (by id, product or variant: "make the blue UV job 1000" is about that order) gets the one
    machine, or else the one line, the whole request names ("Line L1 makes flash. Find the cause and correct it":
    "correct the cause of the flash (L1)")."""
    machines, lines = machines_named(request, plant), lines_named(request, plant)
    subject = machines[0] if len(machines) == 1 else next(iter(lines)) if not machines and len(lines) == 1 else None
    if subject is None:
        return tasks

    def of_its_own(task: str) -> bool:
        said = configuration_said([task], lang, plant)
        return bool(machines_named(task, plant, readings=False) or lines_named(task, plant)
                    or said.order or said.product or said.variant)

    return [task if of_its_own(task) else f"{task} ({subject})" for task in tasks]
