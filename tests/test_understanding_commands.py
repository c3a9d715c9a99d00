"""Start, stop and buy read by code, per language (copilot/understanding/commands.py, purchases.py)."""

from __future__ import annotations

import pytest

from copilot.understanding.commands import commands_said
from copilot.understanding.purchases import buying_said
from copilot.understanding.works import work_asked


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


@pytest.mark.parametrize(("lang", "text", "buys"), [
    ("en", "the moulder keeps short-shotting, get a fitter to check the check ring", False),
    ("en", "raise an urgent job and order the spares we lack", True),
    ("en", "get maintenance on it and get some new bearings in", True),
    ("en", "open a work order for the press", False),  # a work order buys nothing
    ("en", "please order maintenance for the conveyor", False),
    ("de", "Auftrag anlegen und einen Dichtsatz bestellen", True),
    ("fr", "Ouvrez un ordre de travail pour la presse", False),
    ("fr", "et commandez les roulements", True),
    ("es", "abre una orden y pide los rodamientos", True),
    ("it", "apri un ordine di lavoro", False),
    ("it", "ordina 4 cuscinetti", True),
    ("pt", "a peça da máquina partiu", False),
    ("pt", "e encomenda os rolamentos", True),
    ("nl", "bestel nieuwe lagers", True),
    ("pl", "zamów łożyska", True),
    ("cs", "objednej ložiska", True),
    ("tr", "rulmanları sipariş et", True),
    ("pl", "zamow 4 sztuki, najtaniej", True),  # typed without the diacritics
    ("tr", "rulmanlari siparis et", True),
])
def test_buying_is_read_in_the_requests_language(lang: str, text: str, buys: bool) -> None:
    assert buying_said([text], lang) is buys


def test_buying_is_read_in_the_restatement_only_for_a_language_without_words_of_its_own() -> None:
    german = "Das Förderband quietscht. Mach bitte einen Auftrag für die Instandhaltung auf."
    assert not buying_said([german, "The conveyor squeaks. Please order the spares too."], "de")  # own words first
    assert buying_said(["Заказать подшипники", "Order bearings"], "ru")


@pytest.mark.parametrize(("lang", "text", "asks"), [
    ("en", "the moulder keeps short-shotting, get a fitter to check the check ring", True),
    ("en", "right, get someone out to it", True),
    ("en", "raise a job for the leaking ram", True),
    ("en", "we need 4 SEAL-M25 here by tomorrow, whoever is quickest", False),
    ("en", "get us 6 TC-K-150 thermocouples, the cheapest", False),
    ("de", "Schick einen Monteur zur Pumpe", True),
    ("fr", "fais un bon de travail pour le vérin qui fuit", True),
    ("fr", "il me faut deux roulements", False),
    ("es", "que venga alguien de mantenimiento", True),
    ("it", "chiama la manutenzione per il forno", True),
    ("pt", "abre uma ordem de serviço para a bomba", True),
    ("nl", "stuur een monteur naar de pomp", True),
    ("pl", "wyślij mechanika do pompy", True),
    ("cs", "tak tam pošli údržbu", True),
    ("tr", "pompaya bir teknisyen gönder", True),
    ("en", "show me the blue UV job", False),  # a job may be a production order
    ("en", "Is there already an open work order for P-101? Don't open a new one if there is.", False),
    ("en", "open an urgent work order for the press", True),
    ("en", "check the oven temperature", False),  # a check is a read
    ("es", "revisa la temperatura del horno", False),
    ("de", "setz den Auftrag PO-L1-0043 auf 1000", False),
])
def test_work_asked_is_read_in_the_requests_language(lang: str, text: str, asks: bool) -> None:
    assert work_asked([text], lang) is asks
