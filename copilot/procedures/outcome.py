"""What a procedure's decision comes to: a value with its note, a stop with its reason, or a question back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AskBack", "Decided", "Json", "Stop", "either"]

Json = Any


@dataclass(frozen=True)
class Decided:
    """A decision's value, and the note the operator reads about it."""

    value: Json
    note: str = ""


class Stop(Exception):
    """The procedure has nothing (more) to do; the reason is told to the operator."""


class AskBack(Exception):
    """A value the procedure needs is missing or ambiguous; the question goes to the operator."""


def either(items: list[str]) -> str:
    """Items as a choice a person reads: "a", "a or b", "a, b or c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
