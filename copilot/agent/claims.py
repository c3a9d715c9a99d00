"""An answer in words to an instruction may not claim a change that no tool made in its turn.

A small model sometimes answers "place the order" with "the order has been accepted" and calls nothing. What was
done is only ever told by what ran: such an answer is replaced by one that says nothing changed.
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from policies.model import Risk
from tools.base import Tool

__all__ = ["NOTHING_CHANGED", "claims_a_change", "unbacked"]

_DONE_EN = (r"accepted|placed|created|booked|ordered|scheduled|changed|set|started|stopped|raised|lowered|written"
            r"|approved|submitted|sent|opened|updated|adjusted|confirmed|released|cancelled|increased|decreased"
            r"|reduced|held|acknowledged|shelved")
_DONE_ROMANCE = r"accept|acept|accett|cré|cread|creat|pass|command|ordin|pedid|modifi|lanc|avviat|confirm|valid|réserv"
_CLAIMS = re.compile(
    rf"\b(?:has|have|had)\s+been\s+(?:\w+ly\s+)?(?:{_DONE_EN})\b"                        # en: has been (duly) placed
    rf"|\b(?:I've|has|have)\s+(?:just\s+|now\s+|\w+ly\s+)?(?:{_DONE_EN})\b"                # en: has placed
    r"|\b(?:wurden?|habe)\b[^.!?\n]{0,40}?\b(?:angenommen|erstellt|angelegt|bestellt|geändert|gestartet"
    r"|gestoppt|eingestellt|bestätigt|gebucht|freigegeben)\b"                            # de
    rf"|\b(?:a|ont|ha|han|è|sono)\s+(?:été|sido|stat[aoei])\s+(?:{_DONE_ROMANCE})\w*"    # fr, es, it: has been
    rf"|\b(?:j'ai|he|ho)\s+(?:{_DONE_ROMANCE})\w*",                                      # fr, es, it: I have
    re.IGNORECASE,
)

NOTHING_CHANGED = ("Nothing has changed: no action ran for this request. Please say again what should be done "
                   "(what, how many, by when), or use a form.")


def claims_a_change(text: str) -> bool:
    """Whether a text says that something was changed, placed or ordered."""
    return bool(_CLAIMS.search(text))


def unbacked(reply: AIMessage, turn: list[AnyMessage], tools: dict[str, Tool]) -> bool:
    """Whether ``reply`` answers in words claiming a change, where no tool that changes something was called in
    ``turn``."""
    if reply.tool_calls or not claims_a_change(reply.text):
        return False
    changes = {name for name, tool in tools.items() if tool.risk != Risk.read}
    return not any(isinstance(m, ToolMessage) and m.name in changes for m in turn)
