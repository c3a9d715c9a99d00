"""The live tags the monitor follows by the PLCs' pushes instead of asking for them at every check.

It iterates the PLC client's ``changes`` (an OPC UA subscription, a Sparkplug B edge node's data; a Modbus PLC
pushes nothing) and keeps the latest number of each followed tag. A machine whose pushes stopped is dropped
until they come again, so the monitor polls it meanwhile. Each change marks its machine and wakes the monitor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from connectors.errors import ConnectorError
from connectors.plc import PlcClient, TagValue, Unfollowed
from copilot.monitor.detectors import Live

log = logging.getLogger(__name__)


class LiveTags:
    """The followed tags of the machines (machine -> tag names): their latest values, the machines changed since
    last asked, and ``woke``, set on each change."""

    def __init__(self, plc: PlcClient, wanted: Mapping[str, list[str]]) -> None:
        self._plc, self._wanted = plc, {m: list(names) for m, names in wanted.items() if names}
        self._values: dict[str, dict[str, float]] = {}
        self._changed: set[str] = set()
        self.woke = asyncio.Event()

    def values(self, machine_id: str, names: list[str]) -> Live | None:
        """The machine's ``names`` as last pushed, or None when one of them is not followed now (poll it)."""
        pushed = self._values.get(machine_id, {})
        if not names or any(n not in pushed for n in names):
            return None
        return {n: pushed[n] for n in names}

    def changed(self) -> set[str]:
        """The machines whose followed tags changed since the last call; ``woke`` is cleared."""
        changed, self._changed = self._changed, set()
        self.woke.clear()
        return changed

    async def follow(self) -> None:
        """Keep the values as the PLCs push them, until cancelled; a PLC that cannot be followed is polled
        (said once in the log)."""
        try:
            async for item in self._plc.changes(self._wanted):
                self._take(item)
        except ConnectorError as exc:
            log.warning("the monitor polls the live tags: they cannot be followed (%s)", exc)
        finally:
            self._values.clear()

    def _take(self, item: TagValue | Unfollowed) -> None:
        if isinstance(item, Unfollowed):
            self._values.pop(item.machine_id, None)
            return
        if isinstance(item.value, bool | int | float):
            self._values.setdefault(item.machine_id, {})[item.tag] = float(item.value)
            self._changed.add(item.machine_id)
            self.woke.set()
