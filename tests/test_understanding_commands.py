"""Start and stop read by code, per language (copilot/understanding/commands.py)."""

from __future__ import annotations

import pytest

from copilot.understanding.commands import commands_said


@pytest.mark.parametrize(("lang", "text", "said"), [
    ("en", "switch the pump back on", {"start"}),
    ("en", "get the filler going again", {"start"}),
    ("en", "halt the oven now, the fan is on fire", {"stop"}),
    ("en", "shut down the press", {"stop"}),
    ("en", "put the oven on 185", set()),  # a value, not a start
    ("en", "take the barrel down 5", set()),
    ("en", "raise the oven 5 degrees", set()),
    ("de", "Schalt die Pumpe ein", {"start"}),
    ("de", "mach den Ofen aus", {"stop"}),
    ("de", "Stell den Ofen auf 185", set()),
    ("fr", "redémarre la pompe", {"start"}),
    ("fr", "Arrêtez le convoyeur", {"stop"}),
    ("fr", "mets le four à 185", set()),
    ("es", "enciende el horno", {"start"}),
    ("es", "necesito 600 para el viernes", set()),  # "para" is "for"
    ("it", "ferma la pompa", {"stop"}),
    ("it", "avvia il nastro", {"start"}),
    ("pt", "liga a bomba", {"start"}),
    ("pt", "desliga a bomba", {"stop"}),
    ("nl", "zet de pomp uit", {"stop"}),
    ("nl", "zet de oven op 185", set()),
    ("pl", "włącz piec", {"start"}),
    ("pl", "zatrzymaj pompę", {"stop"}),
    ("cs", "spusť pás", {"start"}),
    ("cs", "zastav čerpadlo", {"stop"}),
    ("tr", "fırını çalıştır", {"start"}),
    ("tr", "pompayı durdur", {"stop"}),
])
def test_a_start_or_a_stop_is_read_in_the_requests_language(lang: str, text: str, said: set[str]) -> None:
    assert commands_said(text, lang) == said
