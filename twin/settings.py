"""Where the twin file is, from the environment (``PLANT_TWIN_FILE``); by default the site folder's ``twin.yaml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.site import site_dir_field


class TwinSettings(BaseSettings):
    """Where the twin file lives, from ``PLANT_TWIN_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="PLANT_TWIN_", extra="ignore")

    site_dir: Path = site_dir_field()
    file: Path = Field(default_factory=lambda data: data["site_dir"] / "twin.yaml")
