"""How results read as lines: text that came from the plant quoted as data, numbers as people write them."""

from __future__ import annotations

from typing import Any


def quoted(text: Any, limit: int = 120) -> str:
    """Plant text (a PLC string, an ERP field, a manual passage) in quotes, on one line, cut at ``limit``."""
    text = " ".join(str(text).split())
    return f'"{text[:limit]}{"…" if len(text) > limit else ""}"'


def number(value: Any) -> str:
    """A value as a person reads it: a float in ``%g`` form, anything else as ``str``."""
    return f"{value:g}" if isinstance(value, float) else str(value)
