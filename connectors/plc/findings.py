"""What ``plant check`` finds: one line per tag (or machine, or PLC) that disagrees with the live PLC."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.plant import Tag


class Severity(StrEnum):
    """How much a finding matters: a ``problem`` fails the check, a ``note`` does not."""

    problem = "problem"
    note = "note"


@dataclass(frozen=True)
class Finding:
    """A difference between the plant file and the live PLC: a problem fails the check, a note changes nothing."""

    tag: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value:<7} {self.tag}: {self.message}"


_SMALLEST_NORMAL = 1.1754943508222875e-38
"""The smallest normal float32: a non-zero number below it is no measurement but the bit pattern of a misread."""


def implausible(tag: Tag, value: object, hint: str) -> Finding | None:
    """A note when a number read for ``tag`` is NaN, infinite, denormal or outside its min/max, ending in ``hint``
    (the likely cause); else None. Text and bools are not judged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        why = "not a finite number"
    elif 0 < abs(value) < _SMALLEST_NORMAL:
        why = "too small to be a measurement"
    elif (tag.min is not None and value < tag.min) or (tag.max is not None and value > tag.max):
        why = f"outside {'' if tag.min is None else f'{tag.min:.7g}'}..{'' if tag.max is None else f'{tag.max:.7g}'}"
    else:
        return None
    unit = f" {tag.unit}" if tag.unit else ""
    shown = value if isinstance(value, int) else f"{value:.7g}"
    return Finding(tag.key, Severity.note, f"reads {shown}{unit}, {why}: {hint}")
