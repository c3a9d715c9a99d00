"""A request of several tasks ("take the barrel down 5 and get maintenance to check the controller"), told
apart so each is chosen, carried out and answered on its own.

Code tells whether a request may hold several (it joins clauses with a word such as "and", "then" or
"und"; it is no question); the model then writes the tasks, one a line, in the operator's words. A list
that brings a number or an id the request does not have is not used: the request stays one task.
"""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage

from copilot.procedures.answer import faithful
from copilot.procedures.language import LANGUAGE_NAMES
from copilot.procedures.questions import is_question

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


def telling_apart(request: str, lang: str) -> HumanMessage:
    """What the model is asked: the request's tasks, one a line, each standing on its own."""
    language = LANGUAGE_NAMES.get(lang, "English")
    return HumanMessage(
        "Split this operator's request into the separate tasks it asks for, one per line, copying the request's "
        f"own words in {language}: every word goes with the task it belongs to, and a machine, part or order "
        "named once is repeated in each task about it. Several setpoints of one machine are one task; so is a "
        f"question with what it asks about. Add nothing. At most {MAX_TASKS} lines; one line if it is one task."
        f"\n\n{request}"
    )


def tasks_of(written: str, request: str, digits: str = "") -> list[str]:
    """The tasks the model wrote, when there are several and they keep to the request (no number or id it
    does not have; ``digits``: the request with its number words in digits); otherwise the request alone."""
    lines = [_LISTED.sub("", line).strip().strip('"') for line in written.splitlines()]
    tasks = [line for line in lines if line][:MAX_TASKS]
    if len(tasks) < 2 or not all(faithful(task, f"{request}\n{digits}") for task in tasks):
        return [request]
    return tasks
