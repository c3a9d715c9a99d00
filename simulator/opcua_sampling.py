"""The simulated OPC UA server's sampling of its monitored items, as a PLC's server samples its tags.

The tag nodes answer reads through value callbacks (never a stale copy), which asyncua's server does not sample
for subscriptions by itself. Every ``SAMPLE_S`` this reads each tag node that some client monitors and hands the
value to the monitored items' callbacks; the server publishes it only when it changed (the items' data change
trigger), so a client's subscription sees each change within a sample and a publishing interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from asyncua import Server, ua

log = logging.getLogger(__name__)

SAMPLE_S = 0.2

Reader = Callable[[ua.NodeId, ua.AttributeIds], ua.DataValue]


class Sampler:
    """Samples the monitored tag nodes of one server every ``SAMPLE_S`` until stopped."""

    def __init__(self, server: Server, readers: dict[ua.NodeId, Reader]) -> None:
        self._server, self._readers = server, readers
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="OPC UA sampling")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception:  # a failed round is logged; the next one samples every node again
                log.exception("sampling the OPC UA tag nodes failed")
            await asyncio.sleep(SAMPLE_S)

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
