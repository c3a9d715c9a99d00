"""Where the manuals store lives and which embedder it uses, from the environment: plain data, read at the edge.

Every field can be set as ``PLANT_<FIELD>``, e.g. ``PLANT_KNOWLEDGE_STORE=/srv/manuals``,
``PLANT_KNOWLEDGE_URL=http://127.0.0.1:8000`` (a chromadb server, ``chroma run``, instead of the folder),
``PLANT_EMBEDDINGS=openai PLANT_EMBEDDINGS_MODEL=text-embedding-3-small
PLANT_EMBEDDINGS_BASE_URL=http://127.0.0.1:11434/v1 PLANT_EMBEDDINGS_API_KEY=...``.
:func:`knowledge.open.open_store` builds the store and its embedder from them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.site import REPO, site_dir_field


class EmbeddingsKind(StrEnum):
    """Which embedder turns text into vectors."""

    minilm = "minilm"
    """all-MiniLM-L6-v2 int8, offline on onnxruntime."""
    openai = "openai"
    """Any OpenAI-compatible ``/embeddings`` endpoint."""


class KnowledgeSettings(BaseSettings):
    """Where the manuals store lives and how it embeds, from ``PLANT_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PLANT_", extra="ignore")

    site_dir: Path = site_dir_field()
    knowledge_store: Path = Field(default_factory=lambda data: REPO / "var" / "knowledge" / data["site_dir"].name)
    """The folder of the embedded chromadb store (unless ``knowledge_url`` is set), one per site."""
    manuals: Path = Field(default_factory=lambda data: data["site_dir"] / "manuals")
    """The site's manuals, ingested by ``plant-copilot ingest`` and by the demo."""
    knowledge_url: str | None = None
    """A chromadb server's URL, e.g. ``http://127.0.0.1:8000``: the manuals live there, not in the folder."""
    embeddings: EmbeddingsKind = EmbeddingsKind.minilm
    embeddings_model: str = "text-embedding-3-small"
    embeddings_base_url: str | None = None
    embeddings_api_key: SecretStr | None = None
