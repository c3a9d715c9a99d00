"""The manuals store and its embedder, built from the settings (which are data and build nothing)."""

from __future__ import annotations

from knowledge.embeddings import Embedder, MiniLmEmbedder, OpenAIEmbedder
from knowledge.settings import EmbeddingsKind, KnowledgeSettings
from knowledge.store import ManualStore

API_KEY_ENV = "PLANT_EMBEDDINGS_API_KEY"
"""Where a collection's config tells chromadb to find the embeddings key when it rebuilds the embedder."""


def open_embedder(settings: KnowledgeSettings) -> Embedder:
    """The configured embedder: the offline MiniLM model unless an endpoint is chosen."""
    if settings.embeddings is EmbeddingsKind.openai:
        key = settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
        return OpenAIEmbedder(settings.embeddings_model, base_url=settings.embeddings_base_url, api_key=key,
                              api_key_env=API_KEY_ENV)
    return MiniLmEmbedder()


def open_store(settings: KnowledgeSettings) -> ManualStore:
    """The manuals store with the configured embedder: on the chromadb server at ``knowledge_url`` if one is
    set, else in the folder ``knowledge_store``."""
    embedder = open_embedder(settings)
    if settings.knowledge_url:
        return ManualStore.served(settings.knowledge_url, embedder)
    return ManualStore(settings.knowledge_store, embedder)
