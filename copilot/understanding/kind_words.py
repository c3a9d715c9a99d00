"""The words for the usual kinds of machine, per language: "le four" is the oven, "die Pumpe" the pump.

Data only; :mod:`copilot.understanding.machines` reads it. Each key is the English word a plant file's machine
kinds and names use; each entry a regular expression (lower case, matched case-insensitively at word starts;
German and Dutch also inside a compound, "Kühlwasserpumpe", "koelwaterpomp"). A machine is named by these words
as by its own English ones. Longer phrases come first in each language ("presse à injecter" is the moulder, not
a press).
"""

from __future__ import annotations

_W = r"\w*"

KINDS: dict[str, dict[str, str]] = {
    "moulder": {
        "de": rf"spritzgie{_W}|spritzguss{_W}", "fr": rf"presses? à injecter|presses? d'injection|injecteuse{_W}",
        "es": rf"inyectora{_W}|máquinas? de inyección", "it": rf"press[ae] a iniezione|iniettric{_W}|stampatric{_W}",
        "pt": rf"injetora{_W}|injectora{_W}", "nl": rf"spuitgiet{_W}", "pl": rf"wtryskark{_W}",
        "cs": rf"vstřikol{_W}|vstřikovac{_W}", "tr": rf"enjeksiyon{_W}",
    },
    "press": {
        "de": rf"presse{_W}", "fr": r"presse(?:s)?(?!\w)", "es": rf"prensa{_W}", "it": r"press[ae](?!\w)",
        "pt": rf"prensa{_W}", "nl": r"pers(?:en)?(?!\w)", "pl": rf"pras[aęyie]{_W}", "cs": r"lis(?:u|em|y|e)?(?!\w)",
        "tr": r"pres(?:i|in|e|te|ten)?(?!\w)",
    },
    "pump": {
        "de": rf"pumpe{_W}", "fr": rf"pompe{_W}", "es": rf"bomba{_W}", "it": rf"pomp[ae]{_W}", "pt": rf"bomba{_W}",
        "nl": rf"pomp{_W}", "pl": rf"pomp[aęyie]{_W}", "cs": rf"čerpad{_W}", "tr": rf"pompa{_W}",
    },
    "oven": {
        "de": rf"ofen{_W}|öfen{_W}", "fr": r"fours?(?!\w)", "es": rf"horno{_W}", "it": r"forn[oi](?!\w)",
        "pt": rf"forno{_W}|estufa{_W}", "nl": rf"oven{_W}", "pl": rf"piec{_W}", "cs": r"pec(?:e|i)?(?!\w)",
        "tr": rf"fırın{_W}",
    },
    "filler": {
        "de": rf"abfüll{_W}|füller{_W}|füllmaschine{_W}", "fr": rf"remplisseuse{_W}", "es": rf"llenadora{_W}",
        "it": rf"riempitric{_W}", "pt": rf"enchedora{_W}", "nl": rf"vuller{_W}|vulmachine{_W}",
        "pl": rf"napełniark{_W}|rozlewark{_W}", "cs": rf"plničk{_W}|plnic{_W}", "tr": rf"dolum{_W}",
    },
    "conveyor": {
        "de": rf"förderband{_W}|förderer{_W}|band(?:es)?(?!\w)", "fr": rf"convoyeur{_W}|tapis(?!\w)",
        "es": rf"cinta{_W}|transportador{_W}", "it": rf"nastr[oi]{_W}|trasportator{_W}",
        "pt": rf"esteira{_W}|transportador{_W}", "nl": rf"transportband{_W}|band(?:en)?(?!\w)",
        "pl": rf"przenośnik{_W}|taśm{_W}", "cs": rf"dopravník{_W}|pás(?:u|em)?(?!\w)", "tr": rf"konveyör{_W}|bant{_W}",
    },
    "dyer": {
        "de": rf"färbe(?:maschine|apparat|anlage){_W}", "fr": rf"(?:machine|appareil)s? de teinture|teinturerie{_W}",
        "es": rf"máquinas? de teñi{_W}|tintorer{_W}", "it": rf"macchin[ae] (?:per la |di )?tintura|tintoria{_W}",
        "pt": rf"máquinas? de tingi{_W}|tinturaria{_W}", "nl": rf"verfmachine{_W}|ververij{_W}",
        "pl": rf"farbiark{_W}", "cs": rf"barvic{_W}", "tr": rf"boya makine{_W}|boyama makine{_W}",
    },
    "stenter": {
        "de": rf"spannrahmen{_W}", "fr": r"rames?(?!\w)", "es": r"ramas?(?!\w)", "it": rf"rameus{_W}|ramoz{_W}",
        "pt": r"ramas?(?!\w)", "nl": rf"spanraam{_W}", "pl": rf"ram(?:a|ę|y|ie|ą)(?!\w)|suszarko-napinark{_W}",
        "cs": rf"napínací{_W} rám{_W}", "tr": r"ram(?:a|ı)?(?!\w)",
    },
    "padder": {
        "de": rf"foulard{_W}|klotz{_W}", "fr": rf"foulard{_W}", "es": rf"foulard{_W}", "it": rf"foulard{_W}",
        "pt": rf"foulard{_W}", "nl": rf"foulard{_W}", "pl": rf"napawar[kc]{_W}|foulard{_W}", "cs": rf"fulár{_W}",
        "tr": rf"fular{_W}",
    },
}
"""English kind word → language → the words that say it."""

COMPOUNDING = {"de", "nl"}
"""The languages that glue a kind word to the end of a longer noun."""
