"""The one question every reader of the past asks a historian: a tag's samples over the last minutes.

The monitor, the twin's fit, the trends, the KPIs and the shift report ask it through ``HistorySource``, whichever
historian the plant file names (``connectors.historian.opened``). Seconds are POSIX seconds of the samples'
timestamps (the simulator's are its simulated seconds); a window ends at the historian's newest sample, so a
plant's clock and the wall clock read alike.
"""

from __future__ import annotations

import math
from typing import Protocol

from connectors.errors import InvalidRequest, NotFound
from connectors.plant import Plant, Tag

Samples = list[tuple[float, float]]
"""``(seconds, value)`` pairs, oldest first."""


class HistorySource(Protocol):
    """A historian, read one tag at a time."""

    @property
    def where(self) -> str:
        """The historian in one line, for people (its kind and address)."""
        ...

    async def samples(self, machine_id: str, tag: str, window_minutes: float) -> Samples:
        """The tag's samples over the last ``window_minutes``; connector errors (``connectors.errors``) when the
        tag is unknown or not a number, or the historian does not answer."""
        ...


def numeric_tag(plant: Plant, machine_id: str, tag: str, window_minutes: float) -> Tag:
    """The plant's numeric tag of that name; NotFound or InvalidRequest, as the MES says, for what no historian
    keeps or a window that is not a positive number."""
    spec = plant.tag(machine_id, tag)
    if spec.is_text:
        raise NotFound(f"the historian keeps numbers only; {spec.key} is a text tag")
    if not math.isfinite(window_minutes) or window_minutes <= 0:
        raise InvalidRequest(f"the window must be a positive number of minutes, not {window_minutes!r}")
    return spec
