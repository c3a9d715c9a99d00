"""Whether a request is a question, which a turn answers and never answers with a change.

A question ends with a question mark (or opens with one, in Spanish) and does not open as a polite request
("can you ...?", "könnten Sie ...?", "pouvez-vous ...?"): those ask for something to be done, unless what
they ask for is to be told or shown something ("can you tell me ...?"). A modal that asks no one ("would
knocking 10 bar off help?", "could it be the bearings?") opens a question. Told by code,
in the ten languages the copilot is tried in; a request without a question mark is not a question.
"""

from __future__ import annotations

import re

_POLITE = re.compile(
    r"^(?:please\s+|bitte\s+)?(?:(?:tu|vous|você|voce)\s+(?=(?:me|nous|nos)\s))?(?:"  # "tu me commandes"
    r"(?:tu|vous|on|você|voce|u|jij|ty|vy)\s+(?:peux|peut|pouvez|pourrais|pourriez|voudriez|voudrais"  # "tu peux"
    r"|pode|podes|poderia|poderias|kunt|kan|kun|zou|wil|możesz|mógłbyś|můžeš|můžete|mohl|mohla|mohli)"
    r"|(?:can|could|would|will|won't|may)\s+(?:you|u|ya|we|i|someone|somebody|anyone|anybody)"  # en: can you
    r"|(?:kannst|könnt|können|könntest|könnten|würdest|würden)\s+(?:du|sie|ihr|wir|man|jemand)"  # de
    r"|(?:peux|peut|pouvez|pourrais|pourriez|voudriez|voudrais)[\s-]+(?:tu|vous|on)"  # fr: pouvez-vous
    r"|(?:kun|kunt|kan|zou|wil)\s+(?:je|jij|u|jullie|we|wij|iemand)"  # nl: kun je
    r"|puedes|puede|pueden|podrías|podría|podrían"                      # es
    r"|puoi|può|potresti|potrebbe|potete"                               # it
    r"|pode|podes|poderia|poderias|podem"                               # pt
    r"|możesz|możecie|mógłbyś|mogłabyś|czy\s+możesz|czy\s+mógłbyś"      # pl
    r"|můžeš|můžete|mohl|mohla|mohli"                                   # cs
    r"|(?:mi|ci)\s+(?:ordini|compri|fai|metti|alzi|abbassi|mandi|prendi)"  # it: "mi ordini ...?" (order me ...)
    r"|(?:me|nos)\s+(?:pides|compras|haces|pones|subes|bajas|mandas)"     # es
    r"|(?:me|nos)\s+(?:encomendas|pedes|compras|fazes|pões|sobes|baixas|mandas)"  # pt
    r"|(?:me|nous)\s+(?:commandes|commandez|fais|faites|mets|mettez)"    # fr: "tu me commandes ...?"
    r")\b",
    re.IGNORECASE,
)
_TELL = re.compile(
    r"\b(?:tell|show|explain|check|say|find|list|look up|sagen|zeigen|erklären|prüfen|nachsehen|dire|montrer"
    r"|expliquer|vérifier|decir|mostrar|explicar|comprobar|dirmi|mostrare|spiegare|verificare|dizer|mostrar"
    r"|explicar|verificar|powiedzieć|pokazać|sprawdzić|vertellen|laten zien|controleren|říct|ukázat|zkontrolovat)\b",
    re.IGNORECASE,
)
"""What a polite opener asks for when it asks to be told something: then it is a question after all."""
_POLITE_TR = re.compile(r"\b\w+(?:abilir|ebilir)\s*(?:mi|mı|mu|mü)\w*\s*\?\s*$", re.IGNORECASE)
"""Turkish asks politely at the end: "... ayarlayabilir misin?" (can you set ...)."""


def is_question(request: str) -> bool:
    """True for a question (it ends or, in Spanish, opens with a question mark) that is not a polite request; what
    the question asks is its last sentence ("The oven's controller is acting up. Can you open a job?" asks a deed)."""
    text = request.strip().lstrip("¿\"'«„ ").rstrip("\"'»“ ")
    if not (text.endswith("?") or request.strip().startswith("¿")):
        return False
    asked = re.split(r"(?<=[.!;:])\s+", text.rstrip("?").strip())[-1].lstrip("¿\"'«„ ")
    asks_for_a_deed = bool(_POLITE.match(asked) or _POLITE_TR.search(text))
    return not asks_for_a_deed or bool(_TELL.search(asked))
