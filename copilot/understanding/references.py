"""Whether a request repeats the one before it for something else: "the same for the moulder", "dasselbe für die
Presse", "pareil pour le four". Its numbers are then the earlier request's, its machine or part its own. Or whether
it only consents to what the request before it proposed: "ok, do it", "ja, mach das", "oui, vas-y"; its numbers
are then the earlier request's too.

Told by words in the ten languages the copilot is tried in; "the same" alone ("keep the same speed") is not enough:
it must be said *for*, *on* or *with* something else, or be one of the idioms that only ever mean it ("ditto").
"""

from __future__ import annotations

import re

__all__ = ["consents", "repeats_earlier"]

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


_YES = (r"ok(?:ay)?|oké|yes|yeah|yep|sure|fine|right|alright|ja|jawohl|gut|passt|oui|d'accord|daccord|sí|si|vale"
        r"|de acuerdo|sì|va bene|d'accordo|sim|tá|certo|prima|tak|dobra|dobrze|ano|jo|dobře|evet|tamam|please|bitte"
        r"|s'il te plaît|por favor|per favore|alsjeblieft|graag|proszę|prosím|lütfen|then|dann|alors|entonces|allora"
        r"|então|dan|to|pak|o zaman")
_DO = (r"do it|do that|go ahead|go for it|make it so|proceed|let's do (?:it|that)|yes please|please do"  # en
       r"|mach (?:das|es)(?: so)?|machen wir(?: das)?|mach mal|tu es|los|leg los|ausführen"  # de
       r"|vas-y|allez-y|fais-le|faites-le|on y va|fais-le|faites|go"  # fr
       r"|hazlo|hágalo|adelante|dale"  # es
       r"|fallo|fatelo|procedi|procediamo|vai|avanti"  # it
       r"|faz isso|faça isso|faz|pode fazer|vai em frente|avança"  # pt
       r"|doe maar|doe het|ga je gang|uitvoeren|ga door"  # nl
       r"|zrób to|zróbcie to|zrób|dawaj|wykonaj|rób"  # pl
       r"|udělej to|udělejte to|proveď|pokračuj|jdi do toho"  # cs
       r"|yap|yapın|devam et|uygula")  # tr
_CONSENT = re.compile(rf"^\W*(?:(?:{_YES})\W+)*(?:{_DO})(?:\W+(?:{_YES}))*\W*$", re.IGNORECASE)


def consents(request: str) -> bool:
    """Whether ``request`` does nothing but consent to what was proposed or asked before it ("ok, do it")."""
    return _CONSENT.match(request.strip()) is not None
