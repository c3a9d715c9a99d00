"""The words that ask to buy something, per language ("order", "buy", "bestell", "commande", "compra").

Data only; :mod:`copilot.understanding.purchases` reads it. Each entry is a regular expression (lower case,
matched case-insensitively at word starts). An order that is a noun of work ("a work order", "un ordine di
lavoro") buys nothing.
"""

from __future__ import annotations

_W = r"\w*"

BUY = {
    "en": rf"(?<!work )(?<!production )(?<!job )order(?!\s+(?:an?\s+|the\s+|some\s+)?(?:maintenance|repair|job|fitter"
          rf"|technician|service|check|inspection|work|someone|somebody)\b){_W}|reorder{_W}|re-order{_W}|buy{_W}|bought|purchas{_W}"
          rf"|procur{_W}|restock{_W}|replenish{_W}|stock up|top up|get (?:some |a few |more |new |spare )*(?:\w+ )?in\b"
          rf"|source{_W}",
    "de": rf"bestell{_W}|nachbestell{_W}|kauf{_W}|einkauf{_W}|besorg{_W}|beschaff{_W}",
    "fr": rf"command{_W}|recommand{_W}|achet{_W}|achat{_W}|approvisionn{_W}",
    "es": rf"pid[ea]{_W}|pedir{_W}|compr[ae]{_W}|comprar{_W}|encarg{_W}|orden[ae]{_W}",
    "it": rf"ordin[aei]\w*(?! di (?:lavoro|produzione|manutenzione))|compr[aei]{_W}|acquist{_W}",
    "pt": rf"encomend{_W}|compr[ae]{_W}|comprar|pedir{_W}",
    "nl": rf"bestel{_W}|koop{_W}|kopen|aanschaff{_W}",
    "pl": rf"zam[óo]w{_W}|zamaw{_W}|kup{_W}|zakup{_W}",
    "cs": rf"objedn{_W}|kup{_W}|nakup{_W}|koupit",
    "tr": rf"sipari[şs]{_W}|sat[ıi]n al{_W}|al(?:ın|ır mısın)?(?!\w)",
}
