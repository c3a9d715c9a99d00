"""Variants of plants/riverside/plant.yaml for tests: the demo plant with one edit, as a plant file of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from connectors.plant import Plant, load_plant
from connectors.site import DEMO_SITE


def plant_with(folder: Path, edit: Callable[[dict], None]) -> Plant:
    """The demo plant file with ``edit`` applied to its raw data, written to ``folder``/plant.yaml and loaded."""
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text())
    edit(raw)
    path = folder / "plant.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_plant(path)


def tag_of(raw: dict, machine_id: str, name: str) -> dict:
    """The raw entry of one tag, to edit."""
    return next(m for line in raw["lines"] for m in line["machines"] if m["id"] == machine_id)["tags"][name]


def locked(raw: dict) -> None:
    """As a plant's admin leaves it: no writes over an OPC UA session without security."""
    raw["plant"]["opcua_writes_without_security"] = False
