"""A request that repeats the one before it for something else, told in the ten languages; "the same" alone is not."""

from __future__ import annotations

import pytest

from copilot.understanding.references import repeats_earlier


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
