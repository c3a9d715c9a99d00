"""What ``plant check`` finds: one line per tag (or machine, or PLC) that disagrees with the live PLC."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
