"""The words that say which quantity a request means without naming a tag, per language: "hot", "kalt", "plus vite"
are temperature and speed. Data only; :func:`copilot.understanding.qualities.qualities_said` reads it. Each entry is
a regular expression (lower case, matched case-insensitively at word starts).
"""

from __future__ import annotations

_W = r"\w*"

QUALITIES = {
    "temperature": {
        "en": rf"hot{_W}|warm{_W}|cold{_W}|cool{_W}|heat{_W}|temperature{_W}|temp(?!\w)",
        "de": rf"heiß{_W}|heiss{_W}|warm{_W}|wärmer|kalt{_W}|kälter|kühl{_W}|temperatur{_W}",
        "fr": rf"chaud{_W}|froid{_W}|tiède{_W}|température{_W}",
        "es": rf"caliente{_W}|frí[oa]{_W}|calor|temperatura{_W}", "it": rf"cald[oaie]{_W}|fredd{_W}|temperatura{_W}",
        "pt": rf"quente{_W}|fri[oa]{_W}|temperatura{_W}", "nl": rf"heet|heter|warm{_W}|koud{_W}|temperatuur{_W}",
        "pl": rf"gorąc{_W}|ciepł{_W}|zimn{_W}|temperatur{_W}", "cs": rf"hork{_W}|tepl{_W}|studen{_W}|chladn{_W}",
        "tr": rf"sıcak{_W}|soğuk{_W}|ılık{_W}",
    },
    "speed": {
        "en": rf"fast{_W}|slow{_W}|quick{_W}|speed{_W}", "de": rf"schnell{_W}|langsam{_W}|geschwindigkeit{_W}",
        "fr": rf"vite|rapide{_W}|lent{_W}|vitesse{_W}", "es": rf"rápid{_W}|lent{_W}|velocidad{_W}",
        "it": rf"veloc{_W}|lent{_W}|rapid{_W}", "pt": rf"rápid{_W}|lent{_W}|devagar|velocidade{_W}",
        "nl": rf"snel{_W}|langzaam{_W}|traag{_W}", "pl": rf"szybk{_W}|szybci{_W}|woln{_W}|prędkoś{_W}",
        "cs": rf"rychl{_W}|pomal{_W}", "tr": rf"hızl{_W}|yavaş{_W}|hız(?!\w)",
    },
    "pressure": {
        "en": rf"pressure{_W}", "de": rf"druck{_W}", "fr": rf"pression{_W}", "es": rf"presión{_W}",
        "it": rf"pressione{_W}", "pt": rf"pressão{_W}", "nl": r"druk(?!\w)", "pl": rf"ciśnieni{_W}|nacisk{_W}",
        "cs": rf"tlak{_W}", "tr": rf"basınç{_W}",
    },
}
"""The English word a setpoint's words carry (temperature, speed, pressure) → language → the words that mean it."""
