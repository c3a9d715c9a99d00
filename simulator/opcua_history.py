"""The simulated PLCs' Historical Access: HistoryRead of a numeric tag's node answers from the simulator's historian.

asyncua's server serves HistoryRead from a history storage; this one reads a tag's samples straight from the
plant simulation's ring buffer (the same samples the MES serves), so nothing is copied and nothing drifts apart;
the server's alarm events are kept as asyncua's in-memory storage keeps them. A sample taken at simulated second
``s`` carries the source timestamp ``s`` seconds after the Unix epoch, so every historian the copilot reads gives
the same seconds for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asyncua import ua
from asyncua.server.history import HistoryDict

from connectors.plant import Plant, Tag
from connectors.plc.opcua.model import as_variant
from simulator.physics import PlantSimulation

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stamp(seconds: float) -> datetime:
    """The source timestamp of a sample taken at simulated second ``seconds``."""
    return EPOCH + timedelta(seconds=seconds)


def _seconds(at: datetime) -> float:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def historized(plant: Plant) -> list[Tag]:
    """The tags whose nodes keep history: every numeric tag with an OPC UA node."""
    return [t for t in plant.all_tags() if t.opcua is not None and not t.is_text]


class PlantHistory(HistoryDict):
    """A history storage whose tag nodes read the simulation's historian; events are HistoryDict's own."""

    def __init__(self, sim: PlantSimulation, plant: Plant) -> None:
        super().__init__()
        self._sim = sim
        self._tags = {ua.NodeId.from_string(t.opcua): t for t in historized(plant)}

    async def read_node_history(self, node_id: ua.NodeId, start: datetime | None, end: datetime | None,
                                nb_values: int) -> tuple[list[ua.DataValue], datetime | None]:
        """Raw values between ``start`` and ``end`` (inclusive), oldest first; newest first where ``start`` is
        left out or later than ``end``, as Part 11 reads backwards; at most ``nb_values`` (0: all), the rest
        behind a continuation point."""
        tag = self._tags.get(node_id)
        if tag is None:
            return await super().read_node_history(node_id, start, end, nb_values)
        unset = ua.get_win_epoch()
        start, end = start or unset, end or unset
        backwards = start == unset or (end != unset and start > end)
        low, high = (end, start) if backwards and start != unset else (start, end)
        samples = self._sim.history_since(tag.machine_id, tag.name, _seconds(low) if low != unset else 0.0)
        if high != unset:
            samples = [s for s in samples if s[0] <= _seconds(high)]
        if backwards:
            samples.reverse()
        if nb_values:
            samples = samples[:nb_values]
        cont = None
        if len(samples) > self.max_history_data_response_size:
            cont = stamp(samples[self.max_history_data_response_size][0])
            samples = samples[:self.max_history_data_response_size]
        return [ua.DataValue(as_variant(tag, v), SourceTimestamp=stamp(t), ServerTimestamp=stamp(t))
                for t, v in samples], cont
