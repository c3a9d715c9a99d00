"""A reply that only adds details to the request before it, told by code in the request's language."""

from __future__ import annotations

import pytest

from connectors.settings import ConnectorSettings
from copilot.procedures.details import adds_detail

PLANT = ConnectorSettings().load_plant()


@pytest.mark.parametrize(("lang", "text", "detail"), [
    ("en", "make it 2, and whoever's quickest", True),
    ("en", "six, whoever's quickest", True),
    ("en", "lowest carbon then", True),
    ("de", "lieber 3, und der Günstigste", True),
    ("fr", "plutôt quatre, le moins cher", True),
    ("en", "put the oven on 185", False),  # names a machine
    ("en", "order 2 of BRG-6205 too", False),  # names a part
    ("en", "how many are in stock?", False),  # a question
    ("en", "the pump needs a fitter", False),  # no number, no way to choose
    ("en", "and while you're at it, tell me what the grey housings on the line make in a shift, 3 shifts", False),
])
def test_a_short_reply_with_a_number_or_a_choice_that_names_nothing_adds_details(lang, text, detail) -> None:
    assert adds_detail(text, lang, PLANT) is detail
