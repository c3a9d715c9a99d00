"""Number words per language that text_to_num does not read: Polish, Czech and Turkish number words, and the
idioms every language has for a quantity ("a dozen", "half a dozen", "a couple of", "and a half").

Data only; :mod:`copilot.understanding.numbers` reads it. A word maps to its value; a value of 100 or 1000
under ``MULTIPLIERS`` multiplies what came before it ("tři sta", "iki bin"). "A few", "some", "ein paar",
"een paar", "parę", "pár", "birkaç" name no number and are in no table.
"""

from __future__ import annotations

LANGUAGES = frozenset({"en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "tr"})
"""The languages requests are read in; a text in another is read as English."""

TEXT_TO_NUM = frozenset({"en", "de", "fr", "es", "it", "pt", "nl"})
"""The languages text_to_num reads number words in (checked: "three hundred", "dreihundert", "trois cents",
"trescientos", "trecento", "trezentos", "driehonderd"); Polish, Czech and Turkish words are read from WORDS."""

ARTICLES = {
    "en": {"a", "an"}, "de": {"ein", "eine", "einen", "einem", "einer"}, "fr": {"un", "une"},
    "es": {"un", "una", "uno", "unos", "unas"}, "it": {"un", "uno", "una"}, "pt": {"um", "uma", "uns", "umas"},
    "nl": {"een"},
    "tr": {"bir"},
}
"""Indefinite articles, which text_to_num reads as 1: alone they are no number ("un peu", "ein bisschen")."""

_PL = {
    "zero": 0, "jeden": 1, "jedna": 1, "jedno": 1, "dwa": 2, "dwie": 2, "dwóch": 2, "trzy": 3, "trzech": 3,
    "cztery": 4, "czterech": 4, "pięć": 5, "pięciu": 5, "sześć": 6, "sześciu": 6, "siedem": 7, "siedmiu": 7,
    "osiem": 8, "ośmiu": 8, "dziewięć": 9, "dziewięciu": 9, "dziesięć": 10, "dziesięciu": 10, "jedenaście": 11,
    "dwanaście": 12, "trzynaście": 13, "czternaście": 14, "piętnaście": 15, "szesnaście": 16,
    "siedemnaście": 17, "osiemnaście": 18, "dziewiętnaście": 19, "dwadzieścia": 20, "trzydzieści": 30,
    "czterdzieści": 40, "pięćdziesiąt": 50, "sześćdziesiąt": 60, "siedemdziesiąt": 70, "osiemdziesiąt": 80,
    "dziewięćdziesiąt": 90, "sto": 100, "dwieście": 200, "trzysta": 300, "czterysta": 400, "pięćset": 500,
    "sześćset": 600, "siedemset": 700, "osiemset": 800, "dziewięćset": 900, "tysiąc": 1000, "tysiące": 1000,
    "tysięcy": 1000,
}
_CS = {
    "nula": 0, "jeden": 1, "jedna": 1, "jedno": 1, "dva": 2, "dvě": 2, "dvou": 2, "tři": 3, "tří": 3,
    "čtyři": 4, "čtyř": 4, "pět": 5, "pěti": 5, "šest": 6, "šesti": 6, "sedm": 7, "sedmi": 7, "osm": 8,
    "osmi": 8, "devět": 9, "devíti": 9, "deset": 10, "deseti": 10, "jedenáct": 11, "dvanáct": 12,
    "třináct": 13, "čtrnáct": 14, "patnáct": 15, "šestnáct": 16, "sedmnáct": 17, "osmnáct": 18,
    "devatenáct": 19, "dvacet": 20, "třicet": 30, "čtyřicet": 40, "padesát": 50, "šedesát": 60,
    "sedmdesát": 70, "osmdesát": 80, "devadesát": 90, "sto": 100, "sta": 100, "stě": 100, "set": 100,
    "tisíc": 1000, "tisíce": 1000,
}
_TR = {
    "sıfır": 0, "bir": 1, "iki": 2, "üç": 3, "dört": 4, "beş": 5, "altı": 6, "yedi": 7, "sekiz": 8,
    "dokuz": 9, "on": 10, "yirmi": 20, "otuz": 30, "kırk": 40, "elli": 50, "altmış": 60, "yetmiş": 70,
    "seksen": 80, "doksan": 90, "yüz": 100, "bin": 1000,
}
WORDS = {"pl": _PL, "cs": _CS, "tr": _TR}
"""Number words of the languages text_to_num does not read."""

MULTIPLIERS = {
    "pl": {"tysiąc", "tysiące", "tysięcy"}, "cs": {"sta", "stě", "set", "tisíc", "tisíce"}, "tr": {"yüz", "bin"},
}
"""Words that multiply the number before them (and stand for 100 or 1000 alone, where the language allows)."""

SCALES = {
    "en": {r"thousand": 1000, r"million": 1e6},
    "de": {r"tausend": 1000, r"tsd\.?": 1000, r"million(?:en)?": 1e6, r"mio\.?": 1e6},
    "fr": {r"mille": 1000, r"million(?:s)?": 1e6},
    "es": {r"mil": 1000, r"mill[oó]n(?:es)?": 1e6},
    "it": {r"mila": 1000, r"mille": 1000, r"milion[ei]": 1e6},
    "pt": {r"mil": 1000, r"milh(?:ão|ões)": 1e6},
    "nl": {r"duizend": 1000, r"miljoen": 1e6},
    "pl": {r"tysi(?:ąca?|ące|ęcy)": 1000, r"tys\.?": 1000, r"milion(?:y|ów)?": 1e6},
    "cs": {r"tisíc(?:e|ů)?": 1000, r"tis\.?": 1000, r"milion(?:y|ů)?": 1e6},
    "tr": {r"bin": 1000, r"milyon": 1e6},
}
"""Words after a number in digits that multiply it ("32 thousand", "32 mil metros", "7,5 tysiąca"); a "k" glued to
the digits ("32k") is a thousand in every language."""

BOUND = {"pl": {"tysiące", "tysięcy"}, "cs": {"sta", "stě", "set", "tisíce"}}
"""Multipliers that never stand alone ("set" alone is no hundred)."""

SUFFIXES = {"tr": ("ye", "ya", "e", "a", "den", "dan", "ten", "tan")}
"""Case endings a number word may carry (Turkish "beşe", "yüzden"): read off, the stem is the number."""

IDIOMS = {
    "en": {r"half a dozen": 6, r"(?:a )?dozen": 12, r"a couple(?: of)?": 2, r"a pair of": 2},
    "de": {r"ein halbes dutzend": 6, r"(?:ein )?dutzend": 12, r"anderthalb": 1.5, r"eineinhalb": 1.5},
    "fr": {r"une demi-douzaine": 6, r"(?:une )?douzaine": 12, r"une paire de": 2, r"un couple de": 2},
    "es": {r"media docena": 6, r"(?:una )?docena": 12, r"un par de": 2},
    "it": {r"mezza dozzina": 6, r"(?:una )?dozzina": 12, r"un paio di": 2},
    "pt": {r"meia dúzia": 6, r"(?:uma )?dúzia": 12, r"um par de": 2},
    "nl": {r"een half dozijn": 6, r"(?:een )?dozijn": 12, r"anderhalf": 1.5},
    "pl": {r"pół tuzina": 6, r"tuzin(?:a)?": 12, r"półtora": 1.5, r"półtorej": 1.5},
    "cs": {r"půl tuctu": 6, r"tucet": 12, r"jeden a půl": 1.5},
    "tr": {r"yarım düzine": 6, r"(?:bir )?düzine": 12, r"bir çift": 2},
}
"""Phrases that are a number in themselves, as regular expressions over the lower-cased text."""

DOZEN = {"en": "dozen", "de": "dutzend", "fr": "douzaines?", "es": "docenas?", "it": "dozzine?", "pt": "dúzias?",
         "nl": "dozijn", "pl": "tuzin(?:y|ów)?", "cs": "tuct(?:y|ů)", "tr": "düzine"}
"""The word for twelve of something, which multiplies a number before it ("two dozen")."""

AND_A_HALF = {"en": r"and a half", "de": r"und ein ?halb", "fr": r"et demie?", "es": r"y medi[oa]",
              "it": r"e mezz[oa]", "pt": r"e mei[oa]", "nl": r"en een half", "pl": r"i pół", "cs": r"a půl",
              "tr": r"buçuk"}
"""What adds a half to the number before it ("two and a half", "iki buçuk")."""

GLUED_HALF = {"de": "einhalb", "nl": "ënhalf"}
"""The same, written as one word with the number ("zweieinhalb", "tweeënhalf")."""

DECIMAL_COMMA = frozenset({"de", "fr", "es", "it", "pt", "nl", "pl", "cs", "tr"})
"""The languages that write 2,5 for two and a half (and may group thousands with a dot: 1.200)."""
