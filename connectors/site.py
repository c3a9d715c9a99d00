"""A site's folder: the plant's own files, kept apart from the product's defaults.

A site folder (``PLANT_DIR``; ``plant-copilot init DIR`` makes one) holds ``plant.yaml`` and ``users.yaml``,
and may hold ``twin.yaml``, ``manuals/`` and its own ``policy.yaml``, ``procedures.yaml`` or ``monitor.yaml``,
each of which replaces the product's default of that name (``config/``). Unset, the demo plant's folder.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, Field

REPO = Path(__file__).resolve().parent.parent
PRODUCT_DEFAULTS = REPO / "config"
"""The product's defaults: procedures, policy and monitor rules that fit any plant."""
PLANTS = REPO / "plants"
"""The plants the repository ships, one folder each."""
DEMO_SITE = PLANTS / "riverside"


def site_dir_field() -> Any:
    """A settings field for the site folder, read from ``PLANT_DIR`` whatever its class's prefix."""
    return Field(DEMO_SITE, validation_alias=AliasChoices("PLANT_DIR", "site_dir"))


def site_file(folder: Path, name: str) -> Path:
    """The site's own file ``name`` where it has one, else the product's default of that name."""
    own = folder / name
    default = PRODUCT_DEFAULTS / name
    return default if default.exists() and not own.exists() else own


def shipped_plant(name: str) -> Path:
    """The plant file of a plant the repository ships, by its folder name (``riverside``)."""
    return PLANTS / name / "plant.yaml"


class NotText(OSError):
    """A configuration file whose bytes are not UTF-8 text; an OSError, so each file's reader names the file."""

    def __init__(self, path: Path, exc: UnicodeDecodeError) -> None:
        why = f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); save it as UTF-8"
        super().__init__(errno.EILSEQ, why, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def config_text(path: str | Path) -> str:
    """A configuration file's text: OSError when it cannot be read, NotText (an OSError) when it is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(Path(path), exc) from None


def config_data(path: str | Path, what: str, error: Callable[[str], Exception]) -> Any:
    """The YAML data of the configuration file ``path``; ``error`` with one line naming the ``what`` file (``policy
    file``) when it cannot be read or is not YAML."""
    try:
        return yaml.safe_load(config_text(path))
    except OSError as exc:
        raise error(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"the {what} {path} is not valid YAML: {' '.join(str(exc).split())}") from None


def first_problems(problems: list[str], limit: int = 5) -> str:
    """Problems in one line: the first ``limit`` of them, then how many more there are."""
    more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more
