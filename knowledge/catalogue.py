"""The catalogue behind the manuals store's filters and BM25 ranking, rebuilt whenever the store changes.

``build_catalogue`` reads every chunk of a chromadb collection once; the filters then cost one comparison
per chunk, and a filter value the store does not hold raises ``UnknownFilter`` naming those it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.errors import UnknownFilter
from knowledge.lexical import Bm25Index, tokenize
from knowledge.passages import ManualInfo, chunk_from

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

PAGE = 5_000  # chunks per read of the whole collection (a server's request stays small)


@dataclass(frozen=True)
class Catalogue:
    """What the store holds, as of one generation: chunk ids, their filters and the BM25 index."""

    generation: int
    ids: list[str]
    documents: Column
    models: Column
    manuals: dict[str, ManualInfo]
    bm25: Bm25Index


class Column:
    """One string per chunk, stored as integer codes so that a filter mask costs one comparison."""

    def __init__(self, values: list[str]) -> None:
        self._codes: dict[str, int] = {}
        self._rows = np.fromiter((self._codes.setdefault(v, len(self._codes)) for v in values), np.int32, len(values))

    def equals(self, value: str) -> np.ndarray:
        return self._rows == self._codes.get(value, -1)


def build_catalogue(collection: Collection, generation: int) -> Catalogue:
    """The catalogue of every chunk in ``collection``, labelled with the store's ``generation``."""
    ids: list[str] = []
    documents: list[str] = []
    models: list[str] = []
    tokens: list[list[str]] = []
    manuals: dict[str, ManualInfo] = {}
    offset = 0
    while True:
        got = collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
        for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            ids.append(chunk_id)
            documents.append(meta["document"])
            models.append(meta.get("machine_model", ""))
            tokens.append(tokenize(chunk_from(chunk_id, text, meta).context_text()))
            info = manuals.get(meta["document"])
            manuals[meta["document"]] = ManualInfo(
                meta["document"], meta["title"], meta.get("machine_model"), (info.chunks if info else 0) + 1
            )
        if len(got["ids"]) < PAGE:
            break
        offset += PAGE
    return Catalogue(generation, ids, Column(documents), Column(models), manuals, Bm25Index(tokens))


def resolve_model(catalogue: Catalogue, model: str) -> str:
    """The machine model as stored that ``model`` names, ignoring case; else ``UnknownFilter``."""
    known = {m.machine_model for m in catalogue.manuals.values() if m.machine_model}
    for name in known:
        if name.casefold() == model.strip().casefold():
            return name
    raise UnknownFilter(
        f"no manual for machine model {model!r}; manuals are stored for: {', '.join(sorted(known)) or 'none'}"
    )


def resolve_document(catalogue: Catalogue, document: str) -> str:
    """The document name that ``document`` names (file name, stem or title, ignoring case); else ``UnknownFilter``."""
    wanted = document.strip().casefold()
    for info in catalogue.manuals.values():
        if wanted in (info.document.casefold(), Path(info.document).stem.casefold(), info.title.casefold()):
            return info.document
    known = ", ".join(sorted(catalogue.manuals)) or "none"
    raise UnknownFilter(f"no manual named {document!r}; the store holds: {known}")
