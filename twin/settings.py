"""Where the twin file is, from the environment (``PLANT_TWIN_FILE``); see ``twin.file`` for why ``config/``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.settings import REPO_CONFIG


class TwinSettings(BaseSettings):
    """Where the twin file lives, from ``PLANT_TWIN_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PLANT_TWIN_", extra="ignore")

    file: Path = REPO_CONFIG / "twin.yaml"
