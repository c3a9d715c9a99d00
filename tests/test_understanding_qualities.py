"""The quantity a request means by how it says it ("hot", "plus vite"), in the ten languages."""

from __future__ import annotations

import pytest

from copilot.understanding.qualities import qualities_said


@pytest.mark.parametrize(("lang", "text", "meant"), [
    ("en", "how hot's the stenter running?", {"temperature"}),
    ("en", "take it down 5 then", set()),
    ("de", "mach den Ofen etwas kälter", {"temperature"}),
    ("fr", "un peu plus vite, le convoyeur", {"speed"}),
    ("es", "el horno está frío", {"temperature"}),
    ("it", "il nastro è troppo lento", {"speed"}),
    ("pt", "a rama está quente demais", {"temperature"}),
    ("nl", "de oven is te koud", {"temperature"}),
    ("pl", "piec jest za zimny", {"temperature"}),
    ("cs", "pec je moc horká", {"temperature"}),
    ("tr", "fırın çok sıcak", {"temperature"}),
    ("de", "mehr Druck auf die Presse", {"pressure"}),
])
def test_the_quantity_meant_is_read_in_the_requests_language(lang: str, text: str, meant: set[str]) -> None:
    assert qualities_said(text, lang) == meant
