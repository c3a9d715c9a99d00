"""A request that repeats the one before it for something else, or only consents to it, told in the ten languages;
"the same" alone is not."""

from __future__ import annotations

import pytest

from copilot.understanding.references import consents, repeats_earlier


@pytest.mark.parametrize("request_", [
    "same for the moulder", "the same for the other pump", "ditto for IM-103", "do that for the other pump too",
    "dasselbe für die Presse", "das gleiche bei der Presse", "pareil pour le four", "la même chose pour HP-102",
    "lo mismo para la prensa", "lo stesso per la pressa", "o mesmo para a prensa", "hetzelfde voor de pers",
    "to samo dla prasy", "totéž pro lis", "aynısı HP-102 için",
])
def test_a_request_that_repeats_the_one_before_for_something_else(request_) -> None:
    assert repeats_earlier(request_)


@pytest.mark.parametrize("request_", [
    "keep the same speed", "order the same part again next week", "is it the same as yesterday?",
    "set the oven to 185", "die gleiche Temperatur halten", "",
])
def test_the_same_alone_repeats_nothing(request_) -> None:
    assert not repeats_earlier(request_)


@pytest.mark.parametrize(("request_", "consent"), [
    ("ok, do it", True), ("yes, go ahead then", True), ("Ja, mach das.", True), ("oui, vas-y", True),
    ("vale, hazlo", True), ("ok, procedi", True), ("sim, pode fazer", True), ("ja, doe maar", True),
    ("tak, zrób to", True), ("ano, udělej to", True), ("tamam, yap", True),
    ("ok", False), ("fine", False), ("do it for the oven", False), ("go to line 2", False), ("ok, 185 then", False),
])
def test_a_request_that_only_consents_to_the_one_before(request_: str, consent: bool) -> None:
    assert consents(request_) is consent
