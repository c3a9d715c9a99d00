"""The simulated OPC UA server's sampling of its monitored items, as a PLC's server samples its tags.

The tag nodes answer reads through value callbacks (never a stale copy), which asyncua's server does not sample
for subscriptions by itself. Every ``SAMPLE_S`` this reads each tag node that some client monitors and hands the
value to the monitored items' callbacks; the server publishes it only when it changed (the items' data change
trigger), so a client's subscription sees each change within a sample and a publishing interval.
"""

from __future__ import annotations

from collections.abc import Callable

from asyncua import Server, ua

from simulator.rounds import Rounds

SAMPLE_S = 0.2

Reader = Callable[[ua.NodeId, ua.AttributeIds], ua.DataValue]


class Sampler:
    """Samples the monitored tag nodes of one server every ``SAMPLE_S`` until stopped."""

    def __init__(self, server: Server, readers: dict[ua.NodeId, Reader]) -> None:
        self._server, self._readers = server, readers
        self._rounds = Rounds(self.sample, SAMPLE_S, "sampling the OPC UA tag nodes")

    def start(self) -> None:
        self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def sample(self) -> None:
        """Hand each monitored tag node's value now to its monitored items (which publish it if it changed)."""
        space = self._server.iserver.aspace
        for node_id, read in self._readers.items():
            node = space.get(node_id)
            value = node.attributes[ua.AttributeIds.Value] if node is not None else None
            if value is None or not value.datachange_callbacks:
                continue
            data = read(node_id, ua.AttributeIds.Value)
            for handle, callback in list(value.datachange_callbacks.items()):
                await callback(handle, data)
