"""Whether a request repeats the one before it for something else: "the same for the moulder", "dasselbe für die
Presse", "pareil pour le four". Its numbers are then the earlier request's, its machine or part its own.

Told by words in the ten languages the copilot is tried in; "the same" alone ("keep the same speed") is not enough:
it must be said *for*, *on* or *with* something else, or be one of the idioms that only ever mean it ("ditto").
"""

from __future__ import annotations

import re

__all__ = ["repeats_earlier"]

_SAME = re.compile(
    r"(?<!\w)(?:"
    r"(?:the |do the |and the )?same (?:for|on|with|to|goes for|again)|same thing (?:for|on|with)|same again|ditto"
    r"|likewise (?:for|on|with)|do (?:that|it) (?:for|on|to) (?:the )?(?:other|\w+-\d+)|that too for"  # en
    r"|(?:das ?gleiche|dasselbe|genauso|ebenso) (?:für|bei|mit|an)"                                      # de
    r"|(?:la même chose|pareil|de même|idem) (?:pour|sur|avec)"                                          # fr
    r"|(?:lo mismo|igual|ídem) (?:para|en|con)"                                                          # es
    r"|(?:lo stesso|la stessa cosa|uguale|idem) (?:per|su|con|anche)"                                    # it
    r"|(?:o mesmo|a mesma coisa|igual) (?:para|no|na|com)"                                               # pt
    r"|(?:hetzelfde|net zo|idem) (?:voor|bij|met|op)"                                                    # nl
    r"|(?:to samo|tak samo|tak samo jak) (?:dla|na|z|przy)"                                              # pl
    r"|(?:totéž|to samé|stejně|to stejné) (?:pro|na|u|s)"                                                # cs
    r"|(?:aynısı|aynı şeyi|aynı şekilde)"                                                                # tr
    r")(?!\w)",
    re.IGNORECASE,
)


def repeats_earlier(request: str) -> bool:
    """Whether ``request`` asks for what the request before it asked, for something else."""
    return _SAME.search(request) is not None
