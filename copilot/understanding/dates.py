"""A day as people name it in a request, found by code against today: an ISO date (2026-12-11), a day and month
(11.12.2026, 11/12), today or tomorrow, a weekday (the next one, today's included) or "in N days / weeks", in the
ten languages the copilot answers in."""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "montag", "lundi", "lunes", "lunedì", "lunedi", "segunda", "maandag", "poniedziałek",
                     "poniedziałku", "pondělí", "pondeli", "pazartesi"), 0),
    **dict.fromkeys(("tuesday", "dienstag", "mardi", "martes", "martedì", "martedi", "terça", "terca", "dinsdag",
                     "wtorek", "wtorku", "úterý", "utery", "salı", "sali"), 1),
    **dict.fromkeys(("wednesday", "mittwoch", "mercredi", "miércoles", "miercoles", "mercoledì", "mercoledi",
                     "quarta", "woensdag", "środa", "środę", "środy", "sroda", "středa", "středu", "streda",
                     "çarşamba", "carsamba"), 2),
    **dict.fromkeys(("thursday", "donnerstag", "jeudi", "jueves", "giovedì", "giovedi", "quinta", "donderdag",
                     "czwartek", "czwartku", "čtvrtek", "čtvrtka", "ctvrtek", "perşembe", "persembe"), 3),
    **dict.fromkeys(("friday", "freitag", "vendredi", "viernes", "venerdì", "venerdi", "sexta", "vrijdag", "piątek",
                     "piątku", "piatek", "pátek", "pátku", "patek", "cuma", "cumaya"), 4),
    **dict.fromkeys(("saturday", "samstag", "samedi", "sábado", "sabado", "sabato", "zaterdag", "sobota", "sobotę",
                     "soboty", "sobotu", "cumartesi"), 5),
    **dict.fromkeys(("sunday", "sonntag", "dimanche", "domingo", "domenica", "zondag", "niedziela", "niedzielę",
                     "niedzieli", "neděle", "neděli", "nedele", "pazar"), 6),
}
"""Weekdays in the ten languages, with the forms "by Friday" takes (do pátku, do piątku, cumaya)."""
OFFSETS: dict[str, int] = {
    **dict.fromkeys(("today", "heute", "aujourd'hui", "hoy", "oggi", "hoje", "vandaag", "dziś", "dzisiaj", "dnes",
                     "bugün", "bugun"), 0),
    **dict.fromkeys(("tomorrow", "morgen", "demain", "mañana", "manana", "domani", "amanhã", "amanha", "jutro",
                     "zítra", "zitra", "yarın", "yarin"), 1),
}
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?\b")
_IN = re.compile(r"\b(?:in|within|en|entro|innerhalb von|em|binnen|za|během|w ciągu)\s+(\d{1,3})\s+"
                 r"(days?|tagen?|jours?|días?|dias?|giorni|dagen|dni|dní|dny|dnů|weeks?|wochen?|semaines?|semanas?"
                 r"|settimane?|weken|tygodni[e]?|týdny|týdnů|týden)(?!\w)")


def day_named(text: str, today: date) -> date | None:
    """The day ``text`` names, counted from ``today``; None when it names none (or an impossible date)."""
    said = text.strip().lower()
    try:
        if found := _ISO.search(said):
            return date(*map(int, found.groups()))
        if found := _DAY_MONTH.search(said):
            day, month, year = found.groups()
            named = date(int(year) if year else today.year, int(month), int(day))
            return named if year or named >= today else named.replace(year=today.year + 1)
    except ValueError:
        return None
    if found := _IN.search(said):
        weeks = found.group(2).startswith(("week", "wek", "woche", "semaine", "semana", "settiman", "tygod", "týd"))
        return today + timedelta(days=int(found.group(1)) * (7 if weeks else 1))
    words = re.findall(r"[\w']+", said)
    offset = next((OFFSETS[w] for w in words if w in OFFSETS), None)
    if offset is not None:
        return today + timedelta(days=offset)
    weekday = next((WEEKDAYS[w] for w in words if w in WEEKDAYS), None)
    return None if weekday is None else today + timedelta(days=(weekday - today.weekday()) % 7)


def day_said(text: str) -> str | None:
    """The words of ``text`` that name a day (an ISO date, "in N days", today or tomorrow, a weekday), as written;
    None when it names none. A bare day and month is left out: in a request it may be a number (2.5 bar)."""
    if found := _ISO.search(text) or _IN.search(text.lower()):
        return text[found.start():found.end()]
    return next((w for w in re.findall(r"[\w']+", text) if w.lower() in OFFSETS or w.lower() in WEEKDAYS), None)
