"""Where the manuals store lives and which embedder it uses, from the environment.

Every field can be set as ``PLANT_<FIELD>``, e.g. ``PLANT_KNOWLEDGE_STORE=/srv/manuals``,
``PLANT_EMBEDDINGS=openai PLANT_EMBEDDINGS_MODEL=text-embedding-3-small
PLANT_EMBEDDINGS_BASE_URL=http://127.0.0.1:11434/v1 PLANT_EMBEDDINGS_API_KEY=...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.embeddings import Embedder

if TYPE_CHECKING:
    from knowledge.store import ManualStore

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MANUALS = REPO / "knowledge" / "manuals"


class KnowledgeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLANT_", extra="ignore")

    knowledge_store: Path = REPO / "var" / "knowledge"
    embeddings: Literal["minilm", "openai"] = "minilm"
    embeddings_model: str = "text-embedding-3-small"
    embeddings_base_url: str | None = None
    embeddings_api_key: SecretStr | None = None

    def embedder(self) -> Embedder:
        """The configured embedder: the offline MiniLM model unless an endpoint is chosen."""
        from knowledge.embeddings import MiniLmEmbedder, OpenAIEmbedder

        if self.embeddings == "openai":
            key = self.embeddings_api_key.get_secret_value() if self.embeddings_api_key else None
            return OpenAIEmbedder(self.embeddings_model, base_url=self.embeddings_base_url, api_key=key)
        return MiniLmEmbedder()

    def open_store(self) -> ManualStore:
        """The manuals store at ``knowledge_store`` with the configured embedder."""
        from knowledge.store import ManualStore

        return ManualStore(self.knowledge_store, self.embedder())
