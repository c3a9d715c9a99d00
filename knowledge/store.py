"""The manuals store: ingest manual files into chromadb (on disk, or a chromadb server), search them, cite what
was found.

Search is hybrid: the vector ranking (chromadb, our own embedder) and a BM25
ranking (exact part numbers, alarm codes, tag names) are fused by reciprocal
rank. A filter by machine model or document applies to both. The records it answers
with are ``knowledge.passages``; the catalogue behind filters and BM25 is ``knowledge.catalogue``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings

from knowledge.catalogue import PAGE, Catalogue, build_catalogue, resolve_document, resolve_model
from knowledge.chunking import CHUNKER_VERSION, Chunk, chunk_document
from knowledge.documents import SUPPORTED_SUFFIXES, read_document
from knowledge.embeddings import Embedder
from knowledge.errors import (
    EmptyDocument,
    InvalidQuery,
    KnowledgeError,
    ManualsNotFound,
    StoreUnavailable,
    UnknownPassage,
    UnreadableDocument,
)
from knowledge.passages import (
    FileResult,
    IngestReport,
    IngestStatus,
    ManualInfo,
    Passage,
    SearchMode,
    chunk_from,
    chunk_metadata,
    passage_from,
)

__all__ = ["FileResult", "IngestReport", "IngestStatus", "ManualInfo", "ManualStore", "Passage", "SearchMode"]

MAX_K = 50
CANDIDATES = 40  # how deep each ranking goes before fusion
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very first ranks
_PAGE = PAGE  # chunks per read of the whole collection (a server's request stays small)


class ManualStore:
    """Manuals in a chromadb PersistentClient at ``path`` (or on a chromadb server: :meth:`served`), embedded
    with ``embedder``.

    Each embedder has its own collection (named by its ``space_id``), so
    switching models never mixes vector spaces. Safe to share between threads.
    """

    def __init__(self, path: Path | str, embedder: Embedder) -> None:
        self.path: Path | None = Path(path)
        """The store's folder; None when it lives on a chromadb server."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._open(chromadb.PersistentClient(path=str(self.path), settings=_chroma()), embedder, str(self.path))

    @classmethod
    def served(cls, url: str, embedder: Embedder) -> ManualStore:
        """The manuals on the chromadb server at ``url`` (``chroma run``), e.g. ``http://127.0.0.1:8000``: one
        store for every process and host that points there."""
        address = httpx.URL(url)
        if address.scheme not in ("http", "https") or not address.host:
            raise StoreUnavailable(f"PLANT_KNOWLEDGE_URL={url!r} is not an http(s) URL of a chromadb server")
        try:
            port = address.port or (443 if address.scheme == "https" else 80)
            client = chromadb.HttpClient(host=address.host, port=port, ssl=address.scheme == "https",
                                         settings=_chroma())
            client.heartbeat()
        except Exception as exc:  # chromadb raises httpx's, its own and ValueError, unwrapped
            raise StoreUnavailable(f"the chromadb server at {url} does not answer ({exc}); start it "
                                   "(`chroma run --path DIR --host 127.0.0.1 --port PORT`) or unset "
                                   "PLANT_KNOWLEDGE_URL to keep the manuals in a folder") from exc
        store = cls.__new__(cls)
        store.path = None
        store._open(client, embedder, url)
        return store

    def _open(self, client: ClientAPI, embedder: Embedder, where: str) -> None:
        self.where = where
        """The folder or the server's URL, for messages."""
        self._embedder = embedder
        self._client = client
        self._name = f"manuals-{embedder.space_id}"
        self._collection = self._client.get_or_create_collection(
            self._name,
            embedding_function=embedder,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"generation": 0},
        )
        self._lock = threading.RLock()
        self._catalogue_cache: Catalogue | None = None

    def copy_to(self, path: Path | str) -> ManualStore:
        """A store of its own in the folder ``path`` (which must not exist) with the same manuals, whether this
        one is a folder or a server: for a run that adds manuals of its own (an eval's planted one) while other
        processes use this store. The chunks and their vectors are copied, nothing is embedded again."""
        if Path(path).exists():
            raise FileExistsError(f"{path} exists: a copy of the manuals store goes to a new folder")
        copy = ManualStore(path, self._embedder)
        with self._lock:
            offset = 0
            while True:
                got = self._collection.get(include=["documents", "metadatas", "embeddings"], limit=_PAGE,
                                           offset=offset)
                if got["ids"]:
                    copy._collection.upsert(ids=got["ids"], embeddings=got["embeddings"],
                                            documents=got["documents"], metadatas=got["metadatas"])
                if len(got["ids"]) < _PAGE:
                    break
                offset += _PAGE
        copy._bump_generation()
        return copy

    # ---- ingest -----------------------------------------------------------------------------------

    def ingest(self, path: Path | str, *, on_file: Callable[[FileResult], None] | None = None) -> IngestReport:
        """Ingest one manual file or every .md/.txt/.pdf file under a folder.

        A changed file replaces its chunks; an unchanged one is skipped; an
        empty or broken one is reported and nothing of it is stored (a previous
        version stays). ``on_file`` is called after each file, for progress.
        """
        started = time.perf_counter()
        files = self.manual_files(path)
        results: list[FileResult] = []
        seen: dict[str, Path] = {}
        for file in files:
            if file.name in seen:
                result = FileResult(file, file.name, IngestStatus.failed,
                                    reason=f"same document name as {seen[file.name]}")
            else:
                seen[file.name] = file
                result = self._ingest_file(file)
            results.append(result)
            if on_file:
                on_file(result)
        return IngestReport(tuple(results), time.perf_counter() - started)

    @staticmethod
    def manual_files(path: Path | str) -> list[Path]:
        """The files an ingest of ``path`` reads, in order."""
        path = Path(path)
        if path.is_file():
            return [path]
        if not path.is_dir():
            raise ManualsNotFound(f"{path} does not exist")
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        if not files:
            raise ManualsNotFound(f"no .md, .txt or .pdf files under {path}")
        return files

    def _ingest_file(self, file: Path) -> FileResult:
        try:
            doc = read_document(file)
        except EmptyDocument as e:
            return FileResult(file, file.name, IngestStatus.empty, reason=str(e))
        except UnreadableDocument as e:
            return FileResult(file, file.name, IngestStatus.failed, reason=str(e))
        fingerprint = f"{doc.content_hash}/{CHUNKER_VERSION}"
        existing = self._collection.get(where={"document": doc.document}, include=["metadatas"])
        metas = existing["metadatas"] or []
        if metas and all(m.get("fingerprint") == fingerprint and m.get("chunk_count") == len(metas) for m in metas):
            return FileResult(file, doc.document, IngestStatus.unchanged, len(metas))
        chunks = chunk_document(doc)
        try:
            vectors = self._embedder([c.context_text() for c in chunks])
        except KnowledgeError as e:
            return FileResult(file, doc.document, IngestStatus.failed, reason=str(e))
        with self._lock:
            self._write(chunks, vectors, fingerprint, stale=set(existing["ids"]) - {c.chunk_id for c in chunks})
        return FileResult(file, doc.document, IngestStatus.updated if metas else IngestStatus.added, len(chunks))

    def _write(self, chunks: list[Chunk], vectors: list[Any], fingerprint: str, stale: set[str]) -> None:
        """Upsert the new chunks, then drop the old ones they replace; a crash in between is repaired by the next
        ingest."""
        batch = self._client.get_max_batch_size()
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c, fingerprint, len(chunks)) for c in part],
            )
        if stale:
            self._collection.delete(ids=sorted(stale))
        self._bump_generation()

    def remove(self, document: str) -> int:
        """Remove a manual's chunks; returns how many were removed."""
        name = resolve_document(self._catalogue(), document)
        with self._lock:
            ids = self._collection.get(where={"document": name}, include=[])["ids"]
            self._collection.delete(ids=ids)
            self._bump_generation()
        return len(ids)

    def _bump_generation(self) -> None:
        generation = int((self._fresh_metadata()).get("generation", 0)) + 1
        self._collection.modify(metadata={"generation": generation})

    # ---- read -------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        machine_model: str | None = None,
        document: str | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Passage]:
        """The ``k`` passages that best answer ``query``, best first.

        ``machine_model`` (e.g. "Aquaflow CP-80") and ``document`` (file name
        or title) are matched without regard to case; one the store does not
        hold raises :class:`UnknownFilter` naming those it does.
        """
        _check_query(query, k, mode)
        catalogue = self._catalogue()
        model = resolve_model(catalogue, machine_model) if machine_model else None
        doc = resolve_document(catalogue, document) if document else None
        if not catalogue.ids:
            return []
        depth = max(CANDIDATES, k)
        rankings: list[list[str]] = []
        if mode in ("hybrid", "vector"):
            rankings.append(self._vector_ranking(query, depth, model, doc))
        if mode in ("hybrid", "lexical"):
            rankings.append(_lexical_ranking(catalogue, query, depth, model, doc))
        scores = fuse(rankings)
        best = sorted(scores, key=lambda c: (-scores[c], c))[:k]
        return self._passages(best, scores)

    def _vector_ranking(self, query: str, depth: int, model: str | None, doc: str | None) -> list[str]:
        conditions = [{"machine_model": model}] if model else []
        conditions += [{"document": doc}] if doc else []
        where: dict[str, Any] | None = (
            None if not conditions else conditions[0] if len(conditions) == 1 else {"$and": conditions}
        )
        result = self._collection.query(query_texts=[query], n_results=depth, where=where, include=[])
        return result["ids"][0]

    def passage(self, chunk_id: str) -> Passage:
        """The passage behind a citation (its ``chunk_id``)."""
        found = self._passages([chunk_id], {})
        if not found:
            raise UnknownPassage(f"no passage with id {chunk_id!r} in the manuals store")
        return found[0]

    def _passages(self, ids: list[str], scores: dict[str, float]) -> list[Passage]:
        if not ids:
            return []
        got = self._collection.get(ids=ids, include=["documents", "metadatas"])
        by_id = {i: (text, meta) for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}
        return [passage_from(chunk_from(i, *by_id[i]), scores.get(i, 0.0)) for i in ids if i in by_id]

    def manuals(self) -> list[ManualInfo]:
        """The manuals in the store, by document name."""
        return sorted(self._catalogue().manuals.values(), key=lambda m: m.document)

    def machine_models(self) -> list[str]:
        return sorted({m.machine_model for m in self._catalogue().manuals.values() if m.machine_model})

    def chunk_count(self) -> int:
        return self._collection.count()

    # ---- the catalogue behind filters and BM25 ----------------------------------------------------

    def _fresh_metadata(self) -> dict[str, Any]:
        return self._client.get_collection(self._name, embedding_function=self._embedder).metadata or {}

    def _catalogue(self) -> Catalogue:
        """The catalogue of the current generation, rebuilt when any process has written since."""
        generation = int(self._fresh_metadata().get("generation", 0))
        with self._lock:
            cached = self._catalogue_cache
            if cached is None or cached.generation != generation:
                cached = self._catalogue_cache = build_catalogue(self._collection, generation)
            return cached


def _chroma() -> Settings:
    """chromadb's client settings, new for each client: its constructors write into the object they get."""
    return Settings(anonymized_telemetry=False)


def _check_query(query: str, k: int, mode: str) -> None:
    """Raise ``InvalidQuery`` for an empty query, a ``k`` outside 1..MAX_K or an unknown mode."""
    if not query or not query.strip():
        raise InvalidQuery("the query is empty")
    if not 1 <= k <= MAX_K:
        raise InvalidQuery(f"k must be between 1 and {MAX_K}, got {k}")
    if mode not in ("hybrid", "vector", "lexical"):
        raise InvalidQuery(f"mode must be hybrid, vector or lexical, got {mode!r}")


def _lexical_ranking(catalogue: Catalogue, query: str, depth: int, model: str | None, doc: str | None) -> list[str]:
    """The BM25 ranking's chunk ids, best first, of the chunks of ``model`` and ``doc`` (when given)."""
    mask = None
    if model is not None:
        mask = catalogue.models.equals(model)
    if doc is not None:
        mask = catalogue.documents.equals(doc) if mask is None else mask & catalogue.documents.equals(doc)
    return [catalogue.ids[i] for i, _ in catalogue.bm25.top(query, depth, mask)]


def fuse(rankings: list[list[str]]) -> dict[str, float]:
    """Reciprocal-rank fusion: each chunk id's summed ``1 / (RRF_K + rank)`` over the rankings (rank from 1)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
    return scores
