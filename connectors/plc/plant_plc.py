"""The plant's PLCs as one client: each machine's reads and writes go to its own PLC's connector.

A machine names its PLC in the plant file (``plc:`` on the machine or its line, an entry of ``plcs:``);
a machine that names none is on the settings' PLC (``PLANT_HOST`` and ``PLANT_MODBUS_PORT``, or
``PLANT_OPCUA_ENDPOINT``) in the protocol the caller chose (``COPILOT_PLC_PROTOCOL``). Each PLC gets one
client from its protocol's plugin, made on its first use and closed with this one: a dead PLC fails only the
reads and writes of its own machines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import datetime

from pydantic import ValidationError

from connectors.errors import NotConfigured
from connectors.plant import Plant, PlcEndpoint
from connectors.plc.alarms import AlarmCondition
from connectors.plc.client import PlcClient, ProtocolPlc, ServerRange, TagValue, Unfollowed, Value, WriteResult
from connectors.plc.registry import plugin
from connectors.settings import ConnectorSettings

SETTINGS_PLC = "the settings' PLC"
"""The key of the PLC of machines that name none (no plant-file PLC can be called this: it has spaces)."""


def settings_endpoint(settings: ConnectorSettings, plant: Plant, protocol: str) -> PlcEndpoint:
    """The endpoint of the settings' PLC in ``protocol``; NotConfigured when that protocol has none there."""
    try:
        return plugin(protocol).settings_endpoint(settings, plant)
    except ValidationError as exc:
        raise NotConfigured(f"the settings' {protocol} PLC: {exc.errors()[0]['msg']} "
                            "(PLANT_HOST, PLANT_MODBUS_PORT, PLANT_OPCUA_ENDPOINT)") from None


class PlantPlc(PlcClient):
    """Routes each machine to the client of its PLC; the guards and errors are that connector's own."""

    def __init__(self, settings: ConnectorSettings, plant: Plant, protocol: str) -> None:
        super().__init__(settings, plant)
        self.protocol = protocol
        self._clients: dict[str, ProtocolPlc] = {}

    def endpoint_of(self, machine_id: str) -> PlcEndpoint:
        """Where the machine's PLC is."""
        name = self.plant.plc_of(machine_id)
        if name is not None:
            return self.plant.plcs[name]
        return settings_endpoint(self.settings, self.plant, self.protocol)

    def _client(self, machine_id: str) -> ProtocolPlc:
        name = self.plant.plc_of(machine_id) or SETTINGS_PLC
        if name not in self._clients:
            endpoint = self.endpoint_of(machine_id)
            self._clients[name] = plugin(endpoint.protocol).connector()(self.settings, self.plant, endpoint)
        return self._clients[name]

    async def read_many(self, machine_id: str, tags: list[str] | None = None) -> dict[str, TagValue]:
        return await self._client(machine_id).read_many(machine_id, tags)

    async def write(self, machine_id: str, tag: str, value: Value) -> WriteResult:
        return await self._client(machine_id).write(machine_id, tag, value)

    async def server_range(self, machine_id: str, tag: str) -> ServerRange | None:
        return await self._client(machine_id).server_range(machine_id, tag)

    async def changes(self, tags: Mapping[str, list[str]]) -> AsyncIterator[TagValue | Unfollowed]:
        """The pushes of every PLC that pushes, merged as they come; each PLC follows its own machines."""
        by_client: dict[int, tuple[ProtocolPlc, dict[str, list[str]]]] = {}
        for machine_id, names in tags.items():
            client = self._client(machine_id)
            by_client.setdefault(id(client), (client, {}))[1][machine_id] = names
        merged: asyncio.Queue[TagValue | Unfollowed | Exception | None] = asyncio.Queue()

        async def pump(client: ProtocolPlc, mine: dict[str, list[str]]) -> None:
            try:
                async for item in client.changes(mine):
                    await merged.put(item)
            except Exception as exc:  # noqa: BLE001 - raised again below, in the caller's task
                await merged.put(exc)
            else:
                await merged.put(None)  # this PLC pushes no more (or never did: it is polled)

        pumps = [asyncio.create_task(pump(c, mine)) for c, mine in by_client.values()]
        try:
            for _ in pumps:
                while (item := await merged.get()) is not None:
                    if isinstance(item, Exception):
                        raise item
                    yield item
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    async def alarm_conditions(self, machine_id: str) -> list[AlarmCondition] | None:
        return await self._client(machine_id).alarm_conditions(machine_id)

    async def alarm_history(self, machine_id: str, start: datetime, end: datetime) -> list[AlarmCondition] | None:
        return await self._client(machine_id).alarm_history(machine_id, start, end)

    async def acknowledge_alarm(self, machine_id: str, condition: str, comment: str) -> AlarmCondition:
        return await self._client(machine_id).acknowledge_alarm(machine_id, condition, comment)

    async def shelve_alarm(self, machine_id: str, condition: str, seconds: float) -> AlarmCondition:
        return await self._client(machine_id).shelve_alarm(machine_id, condition, seconds)

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


def open_plc(settings: ConnectorSettings, plant: Plant, protocol: str) -> PlantPlc:
    """The plant's PLCs; ``protocol`` (a ``Protocol`` or its name) is the settings' PLC's, for machines that name
    none. Use it as ``async with``; each PLC connects on first use."""
    plugin(protocol).connector()  # an unknown protocol, or one whose client cannot load, is refused now
    return PlantPlc(settings, plant, str(protocol))
