"""search_manuals: passages from the equipment manuals, each with its citation."""

from __future__ import annotations

import asyncio
import re

from pydantic import BaseModel, Field

from connectors.errors import Unreachable
from knowledge.errors import UnknownFilter
from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lines import quoted

_PASSAGE = re.compile(r"<manual_passage[^>]*>\n\([^)]*\)\n(.*?)\n</manual_passage>", re.S)
_SHORT = 280


class SearchManualsArgs(ToolArgs):
    """What to look for in the manuals, optionally in one machine's, and how many passages."""

    query: str = Field(min_length=2, max_length=300, description="what to look for, e.g. 'high vibration causes'")
    machine_id: str | None = Field(default=None, description="only the manual of this machine's model")
    k: int = Field(default=4, ge=1, le=10)


class ManualPassage(BaseModel):
    """A passage of a manual found for a query, with its citation."""

    citation: str
    chunk_id: str
    text: str  # fenced and labelled as untrusted data


class ManualSearch(BaseModel):
    """The passages found, best first; ``note`` says when the machine's own manual was missing and all were searched."""

    passages: list[ManualPassage]
    note: str = ""

    def line(self) -> str:
        """What the first two passages say, each with its citation."""
        if not self.passages:
            return "the manuals have no passage on this"
        lines = []
        for p in self.passages[:2]:
            match = _PASSAGE.search(p.text)
            body = " ".join((match.group(1) if match else p.text).split())
            lines.append(f"[{p.citation}]: {quoted(body, _SHORT)}")
        return "the manual says " + " — ".join(lines)


@tool(args=SearchManualsArgs, risk=Risk.read, result=ManualSearch, line=ManualSearch.line, order=80,
      systems=(System.manuals,))
async def search_manuals(deps: Deps, args: SearchManualsArgs, call: Call) -> ManualSearch:
    """Search the equipment manuals (troubleshooting tables, limits, maintenance procedures, spare part
    numbers, safety notes). Cite each passage you use by its citation in your answer."""
    if deps.manuals is None:
        raise Unreachable("the manuals are not loaded; run `plant-copilot ingest`")
    model = deps.plant.machine(args.machine_id).model if args.machine_id else None
    note = ""
    try:
        passages = await asyncio.to_thread(deps.manuals.search, args.query, args.k, machine_model=model)
    except UnknownFilter:
        note = f"no manual of the {model} is loaded; these passages come from all manuals"
        passages = await asyncio.to_thread(deps.manuals.search, args.query, args.k)
    return ManualSearch(
        passages=[ManualPassage(citation=p.cite(), chunk_id=p.chunk_id, text=p.as_data()) for p in passages],
        note=note,
    )
