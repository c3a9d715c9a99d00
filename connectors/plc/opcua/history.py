"""A tag's history from its OPC UA server by HistoryRead of raw values (Part 11, Historical Access).

The window ends at the node's newest value (read backwards, one value), so a server whose clock is a plant's
own reads like one on the wall clock; values of bad quality are gaps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asyncua import Node

_LATEST = datetime(9999, 12, 31, tzinfo=UTC)  # as late as OPC UA's DateTime goes: read backwards from the end


def _seconds(at: datetime) -> float:
    """POSIX seconds of a source timestamp (asyncua's are UTC, naive or not)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


async def raw_samples(node: Node, window_s: float) -> list[tuple[float, float]]:
    """``(POSIX seconds, value)`` of the node's good raw values over the last ``window_s`` seconds of its
    history, oldest first; empty where it has none."""
    newest = await node.read_raw_history(None, _LATEST, numvalues=1, return_bounds=False)
    if not newest or newest[0].SourceTimestamp is None:
        return []
    end = newest[0].SourceTimestamp
    values = await node.read_raw_history(end - timedelta(seconds=window_s), end, return_bounds=False)
    return [(_seconds(v.SourceTimestamp), float(v.Value.Value)) for v in values
            if v.SourceTimestamp is not None and (v.StatusCode is None or v.StatusCode.is_good())]
