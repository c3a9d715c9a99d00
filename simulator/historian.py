"""The plant historian: recent numeric samples of every tag, in a fixed amount of memory.

All tags are sampled together at the same instants, so one ring of times serves a
matrix of values (one column per tag). A machine whose PLC is offline leaves a gap
(NaN), as a real historian records no good samples from a dead PLC.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class Historian:
    """Ring buffer of ``(sim_time, value)`` samples for a fixed set of ``(machine_id, tag)`` keys."""

    def __init__(self, keys: list[tuple[str, str]], *, retention_s: float = 7200.0, interval_s: float = 1.0) -> None:
        if interval_s <= 0 or retention_s < interval_s:
            raise ValueError("need interval_s > 0 and retention_s >= interval_s")
        self.interval_s = interval_s
        self.retention_s = retention_s
        self._columns = {key: i for i, key in enumerate(keys)}
        self._capacity = int(math.ceil(retention_s / interval_s))
        self._times = np.full(self._capacity, np.nan)
        self._values = np.full((self._capacity, len(keys)), np.nan)
        self._next = 0  # row the next sample goes to
        self._count = 0

    def clear(self) -> None:
        self._times.fill(np.nan)
        self._values.fill(np.nan)
        self._next = 0
        self._count = 0

    def record(self, sim_time: float, row: Sequence[float]) -> None:
        """Store one sample of every key, in the order the keys were given; NaN is a gap."""
        self._times[self._next] = sim_time
        self._values[self._next] = row
        self._next = (self._next + 1) % self._capacity
        self._count = min(self._count + 1, self._capacity)

    def samples(self, key: tuple[str, str], since: float) -> list[tuple[float, float]]:
        """Samples of one key taken at or after ``since``, oldest first, gaps left out."""
        column = self._columns[key]
        first = (self._next - self._count) % self._capacity
        rows = np.r_[first:first + self._count] % self._capacity if self._count else np.empty(0, dtype=int)
        times = self._times[rows]
        rows = rows[np.searchsorted(times, since, side="left"):]  # times are sorted, oldest first
        values = self._values[rows, column]
        keep = ~np.isnan(values)
        return list(zip(self._times[rows][keep].tolist(), values[keep].tolist(), strict=True))
