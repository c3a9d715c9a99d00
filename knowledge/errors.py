"""Typed errors of the manuals store: each says what went wrong and what to do about it."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of every error the manuals store raises on purpose."""


class ModelFilesMissing(KnowledgeError):
    """The embedding model's weight packages are not installed."""


class ModelIntegrityError(KnowledgeError):
    """A model file's sha256 differs from the pinned one: it is refused, never run."""


class EmbeddingFailed(KnowledgeError):
    """The embedder could not turn text into vectors (e.g. the embeddings endpoint failed)."""


class UnreadableDocument(KnowledgeError):
    """A manual file cannot be parsed (corrupt PDF, bad front matter, not UTF-8, unknown type)."""


class EmptyDocument(KnowledgeError):
    """A manual file has no text to index (empty file, scanned PDF without a text layer)."""


class UnknownFilter(KnowledgeError, ValueError):
    """A search filter names a machine model or document that the store does not hold."""


class UnknownPassage(KnowledgeError, KeyError):
    """No passage has this chunk id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown passage"


class ManualsNotFound(KnowledgeError, FileNotFoundError):
    """The path to ingest does not exist or holds no manual files."""


class InvalidQuery(KnowledgeError, ValueError):
    """A search request that cannot be run as given (empty query, k out of range, unknown mode)."""


class StoreUnavailable(KnowledgeError):
    """The chromadb server the settings name does not answer, or its URL is not one."""
