"""The words that name a production order by its place in the line's sequence, per language: the one running now,
or the next one queued after it.

Data only; :mod:`copilot.understanding.orders` reads it. Each entry is a regular expression (lower case, matched
case-insensitively at word starts). "Next" followed by a number or a span of time ("the next 200", "next week")
names no order.
"""

from __future__ import annotations

_W = r"\w*"
_NOT_A_SPAN = r"(?!\s+(?:\d|week|month|day|shift|time|hour|year))"

RUNNING = {
    "en": r"running|currently running|current(?:ly)?|in progress|(?:we are|we're|we re) (?:making|running|doing) now"
          r"|on the line now|being made|under way",
    "de": rf"laufend{_W}|aktuell{_W}|gerade laufend{_W}|jetzige{_W}|momentan{_W}",
    "fr": rf"en cours|actuel{_W}|qui tourne{_W}",
    "es": rf"en curso|actual{_W}|en marcha|que corre{_W}",
    "it": rf"in corso|attual{_W}|in produzione ora",
    "pt": rf"em curso|atual{_W}|em andamento|em produção|a correr|a decorrer|rodando",
    "nl": rf"lopend{_W}|huidig{_W}|nu draaiend{_W}",
    "pl": rf"bieżąc{_W}|aktualn{_W}|trwając{_W}|obecn{_W}",
    "cs": rf"běžící{_W}|aktuální{_W}|probíhající{_W}|současn{_W}",
    "tr": r"çalışan|mevcut|şu an(?:ki)?|devam eden",
}
NEXT = {
    "en": rf"next{_NOT_A_SPAN}|queued|upcoming|planned|after the current(?: one)?|after this one|coming up"
          r"|waiting to start|on deck|lined up|in the queue",
    "de": rf"nächst{_W}{_NOT_A_SPAN}|geplant{_W}|danach|folgend{_W}|als nächstes|in der warteschlange",
    "fr": rf"suivant{_W}|prochain{_W}{_NOT_A_SPAN}|planifié{_W}|prévu{_W}|après celui|en attente",
    "es": rf"siguiente{_W}|próxim{_W}{_NOT_A_SPAN}|planificad{_W}|en cola|después del actual",
    "it": rf"prossim{_W}{_NOT_A_SPAN}|successiv{_W}|pianificat{_W}|in coda|dopo quell{_W}",
    "pt": rf"próxim{_W}{_NOT_A_SPAN}|seguinte{_W}|planead{_W}|planejad{_W}|na fila|depois do atual",
    "nl": rf"volgend{_W}|gepland{_W}|in de wachtrij|hierna",
    "pl": rf"następn{_W}|kolejn{_W}|zaplanowan{_W}|w kolejce",
    "cs": rf"další{_W}{_NOT_A_SPAN}|následující{_W}|naplánovan{_W}|ve frontě",
    "tr": r"sıradaki|sonraki|planlanan|bir sonraki",
}
