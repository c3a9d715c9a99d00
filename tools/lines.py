"""How results read as lines: text that came from the plant quoted as data, numbers as people write them; in
answers to people, tags by their words and values rounded to what they mean, with the unit's symbol."""

from __future__ import annotations

import math
from typing import Any

_SYMBOLS = {"degC": "°C", "degF": "°F", "m3": "m³", "m2": "m²"}


def quoted(text: Any, limit: int = 120) -> str:
    """Plant text (a PLC string, an ERP field, a manual passage) in quotes, on one line, cut at ``limit``; a double
    quote inside it becomes a single one, so the text cannot close its quotes and read as ours."""
    text = " ".join(str(text).replace('"', "'").split())
    return f'"{text[:limit]}{"…" if len(text) > limit else ""}"'


def number(value: Any) -> str:
    """A value as a person reads it: a float in ``%g`` form, anything else as ``str``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def symbol(unit: str) -> str:
    """A plant file's unit as people write it (degC → °C, m3/h → m³/h, degC/h → °C/h)."""
    head, slash, tail = unit.partition("/")
    return _SYMBOLS.get(unit) or f"{_SYMBOLS.get(head, head)}{slash}{tail}"


def rounded(value: float) -> str:
    """A measured value to the digits that mean something: four significant ones, at most three decimals, never
    fewer than the integer part (179.557 → 179.6, 2.5234 → 2.523, 1447.94 → 1448, 0.04891 → 0.049)."""
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    decimals = max(0, min(3, 3 - math.floor(math.log10(abs(value)))))
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown(value: Any, unit: str = "") -> str:
    """A value as a person reads it in an answer: a number rounded with its unit's symbol, a switch on or off,
    plant text quoted; nothing at all is "not known"."""
    if value is None:
        return "not known"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return quoted(value, 40)
    text = rounded(float(value)) if isinstance(value, float) else str(value)
    return f"{text} {symbol(unit)}".rstrip()


def spaced(code: Any) -> str:
    """A status or kind code as words (``in_progress`` → in progress)."""
    return str(code).replace("_", " ")
