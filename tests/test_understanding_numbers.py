"""Numbers as people write and say them, in the ten languages requests come in (copilot/understanding/numbers.py)."""

from __future__ import annotations

import pytest

from copilot.understanding.numbers import digits_value, in_digits, numbers

CASES = [
    # English
    ("en", "order three hundred labels", [300]),
    ("en", "get a dozen filters and half a dozen seals", [12, 6]),
    ("en", "we need a couple of bearings", [2]),
    ("en", "get some bearings in, a few filters too", []),
    ("en", "two dozen gaskets and two and a half litres", [24, 2.5]),
    ("en", "order 1,200 caps, or 2.5 boxes", [1200, 2.5]),
    ("en", "the first one is P-101, the second on L2", [1]),
    ("en", "raise it to 32 thousand metres, or 1.5k, not 10kg", [32000, 1500, 10]),
    ("de", "auf 32 Tausend Meter, 2,5 Mio. Stück", [32000, 2500000]),
    ("fr", "passez-la à 32 mille mètres", [32000]),
    ("es", "súbela a 32 mil metros", [32000]),
    ("it", "portala a 32 mila metri", [32000]),
    ("pt", "Aumenta-a para 32 mil metros", [32000]),
    ("nl", "zet hem op 32 duizend meter", [32000]),
    ("pl", "podnieś do 32 tysięcy metrów, albo 7,5 tysiąca", [32000, 7500]),
    ("cs", "zvyšte na 32 tisíc metrů", [32000]),
    ("tr", "32 bin metreye çıkar", [32000]),
    # German
    ("de", "dreihundert Etiketten bestellen", [300]),
    ("de", "ein Dutzend Filter und ein halbes Dutzend Dichtungen", [12, 6]),
    ("de", "ein paar Lager, ein bisschen wärmer", []),
    ("de", "1.200 Deckel und 2,5 bar", [1200, 2.5]),
    ("de", "zweieinhalb Grad, anderthalb Stunden", [2.5, 1.5]),
    ("de", "fünfundzwanzig Stück", [25]),
    # French
    ("fr", "commande trois cents étiquettes", [300]),
    ("fr", "une douzaine de filtres et une demi-douzaine de joints", [12, 6]),
    ("fr", "un peu plus chaud", []),
    ("fr", "1\u202f200 bouchons et 2,5 bar", [1200, 2.5]),
    ("fr", "deux et demi, 5\u00a010", [2.5, 5, 10]),
    ("fr", "quatre-vingt-dix bouteilles", [90]),
    # Spanish
    ("es", "pide trescientas etiquetas", [300]),
    ("es", "una docena de filtros y media docena de juntas", [12, 6]),
    ("es", "un par de rodamientos", [2]),
    ("es", "un poco más, unos cuantos filtros", []),
    ("es", "1.200 tapones y 2,5 bar", [1200, 2.5]),
    ("es", "ciento setenta y cinco, dos y medio", [175, 2.5]),
    # Italian
    ("it", "ordina trecento etichette", [300]),
    ("it", "una dozzina di filtri e mezza dozzina di guarnizioni", [12, 6]),
    ("it", "un paio di cuscinetti", [2]),
    ("it", "un po' più caldo, qualche filtro", []),
    ("it", "1.200 tappi e 2,5 bar", [1200, 2.5]),
    ("it", "centosettantacinque, due e mezzo", [175, 2.5]),
    # Portuguese
    ("pt", "encomenda trezentas etiquetas", [300]),
    ("pt", "uma dúzia de filtros e meia dúzia de vedações", [12, 6]),
    ("pt", "um par de rolamentos", [2]),
    ("pt", "um pouco mais, alguns filtros", []),
    ("pt", "1.200 tampas e 2,5 bar", [1200, 2.5]),
    ("pt", "cento e setenta e cinco, dois e meio", [175, 2.5]),
    # Dutch
    ("nl", "bestel driehonderd etiketten", [300]),
    ("nl", "een dozijn filters en een half dozijn pakkingen", [12, 6]),
    ("nl", "een paar lagers, een beetje warmer", []),
    ("nl", "1.200 doppen en 2,5 bar", [1200, 2.5]),
    ("nl", "tweeënhalf, anderhalf", [2.5, 1.5]),
    ("nl", "honderdvijfenzeventig", [175]),
    # Polish
    ("pl", "zamów trzysta etykiet", [300]),
    ("pl", "tuzin filtrów i pół tuzina uszczelek", [12, 6]),
    ("pl", "parę łożysk, trochę cieplej", []),
    ("pl", "sto siedemdziesiąt pięć, dwa tysiące trzysta", [175, 2300]),
    ("pl", "2,5 bara i półtora litra", [2.5, 1.5]),
    ("pl", "o pięć stopni", [5]),
    # Czech
    ("cs", "objednej tři sta štítků", [300]),
    ("cs", "tucet filtrů a půl tuctu těsnění", [12, 6]),
    ("cs", "pár ložisek, trochu tepleji", []),
    ("cs", "sto sedmdesát pět, pět set, dvě stě", [175, 500, 200]),
    ("cs", "2,5 baru a jeden a půl litru", [2.5, 1.5]),
    ("cs", "o pět stupňů", [5]),
    # Turkish
    ("tr", "üç yüz etiket sipariş et", [300]),
    ("tr", "bir düzine filtre ve yarım düzine conta", [12, 6]),
    ("tr", "birkaç rulman, biraz daha sıcak", []),
    ("tr", "yüz yetmiş beşe çıkar, iki bin", [175, 2000]),
    ("tr", "2,5 bar ve iki buçuk litre", [2.5, 2.5]),
    ("tr", "bir çift rulman", [2]),
]


@pytest.mark.parametrize(("lang", "text", "values"), CASES)
def test_numbers_as_people_say_them(lang: str, text: str, values: list[float]) -> None:
    assert [n.value for n in numbers(text, lang)] == values


def test_every_language_has_its_cases() -> None:
    counts = {lang: sum(1 for case in CASES if case[0] == lang) for lang, _, _ in CASES}
    assert set(counts) == {"en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "tr"}
    assert min(counts.values()) >= 6


@pytest.mark.parametrize(("written", "lang", "value"), [
    ("1,200", "en", 1200), ("1.200", "de", 1200), ("1,200", "de", 1.2), ("1.200", "en", 1.2),
    ("2.5", "de", 2.5), ("2,5", "en", 2.5), ("1.234.567", "en", 1234567), ("1.234,5", "de", 1234.5),
    ("1,234.5", "en", 1234.5), ("1\u00a0200", "fr", 1200), ("2,50", "tr", 2.5),
])
def test_thousands_and_decimals_by_language(written: str, lang: str, value: float) -> None:
    assert digits_value(written, lang) == value


def test_a_number_knows_its_place_and_its_sign() -> None:
    text = "set FL-202 fill to -20 ml, then +5 and a dozen"
    found = numbers(text, "en")
    assert [text[n.start:n.end] for n in found] == ["-20", "+5", "a dozen"]
    assert [(n.value, n.signed) for n in found] == [(-20, True), (5, True), (12, False)]


def test_ids_and_ordinals_are_no_numbers() -> None:
    assert numbers("BRG-6205 on P-101, line L2, zone_2, PO-L2-0107, the 3rd shift", "en") == []
    assert [(n.value, n.signed) for n in numbers("between 170-175, then -5", "en")] == [
        (170, False), (175, False), (-5, True)]


def test_in_digits_writes_the_numbers_said() -> None:
    assert in_digits("Bestell zwölf Lager und ein Dutzend Filter", "de") == "Bestell 12 Lager und 12 Filter"
    assert in_digits("zamów trzysta etykiet", "pl") == "zamów 300 etykiet"
    assert in_digits("1.234.567 Deckel, zweieinhalb Grad", "de") == "1234567 Deckel, 2.5 Grad"
