"""What every PLC connector shares: the client the tools use, and the guarded template of one endpoint.

``PlcClient`` is what the tools see: reads and guarded writes of the plant's tags, whichever PLC holds
them. ``ProtocolPlc`` is one endpoint spoken in one protocol; each protocol's plugin subclasses it
(``connectors.plc.registry``). This module imports none of them (``connectors.plc.plant_plc`` opens the
plant's PLCs through the registry).

A write passes a guard first — the second wall after the policy engine: the tag must
be on the plant's write allow-list, the value inside its limits and inside the range the
server itself declares for the tag (OPC UA's EURange; the tighter wins), the step from the
current value within its maximum. A write is never retried: if the connection drops
mid-write, the error says the outcome is unknown. Reads reconnect once.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from connectors.errors import ConnectorError, InvalidRequest, Rejected, Unreachable
from connectors.plant import Plant, PlcEndpoint, Tag
from connectors.plc.alarms import AlarmCondition
from connectors.settings import ConnectorSettings

Value = float | int | bool | str


class TagValue(BaseModel):
    """One tag's value read from a PLC, with its unit, quality and timestamp."""

    machine_id: str
    tag: str
    value: Value
    unit: str = ""
    quality: Literal["good", "bad"] = "good"
    timestamp: float


class Unfollowed(BaseModel):
    """A machine whose pushed values stopped (its PLC's link was lost, or its server says its tags are bad): it is
    polled until its values are pushed again."""

    machine_id: str
    why: str


class WriteResult(BaseModel):
    """A tag written on a PLC: the value before and the value written."""

    machine_id: str
    tag: str
    old_value: Value
    new_value: Value
    unit: str = ""


@dataclass(frozen=True)
class ServerRange:
    """The range a PLC's server declares for a tag (OPC UA EURange), and where it was read."""

    low: float
    high: float
    source: str


def guard_write(tag: Tag, old: Value, new: Value, server: ServerRange | None = None) -> float:
    """The value to write, or Rejected saying why it may not be written."""
    if not tag.writable:
        raise Rejected(f"{tag.key} is not on the plant's write allow-list")
    if isinstance(new, str):
        raise InvalidRequest(f"{tag.key} takes a number, not {new!r}")
    value = float(new)
    if not math.isfinite(value):
        raise Rejected(f"{tag.key} takes a finite number, not {value}")
    if value < tag.min or value > tag.max:
        raise Rejected(f"{tag.key} {value:g} is outside its limits {tag.min:g}..{tag.max:g} {tag.unit}".rstrip())
    if server is not None and not server.low <= value <= server.high:
        raise Rejected(f"{tag.key} {value:g} is outside the range {server.low:g}..{server.high:g} {tag.unit} that "
                       f"{server.source} declares for it (EURange); the plant file's limits "
                       f"{tag.min:g}..{tag.max:g} are wider: correct them (`plant-copilot plant check`)")
    if tag.max_step is not None and not (isinstance(old, int | float) and math.isfinite(old)):
        raise Rejected(f"{tag.key}'s current value {old!r} is not a number, so the size of the step cannot be checked")
    if tag.max_step is not None and abs(value - float(old)) > tag.max_step:
        raise Rejected(
            f"{tag.key} {float(old):g} → {value:g} is a step of {abs(value - float(old)):g}, "
            f"more than the maximum {tag.max_step:g} per write"
        )
    return value


class PlcClient(ABC):
    """Reads and guarded writes of the plant's tags; use it as ``async with``."""

    def __init__(self, settings: ConnectorSettings, plant: Plant) -> None:
        self.settings = settings
        self.plant = plant

    async def __aenter__(self) -> PlcClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def read(self, machine_id: str, tag: str) -> TagValue:
        spec = self.plant.tag(machine_id, tag)
        return (await self.read_many(spec.machine_id, [spec.name]))[spec.name]

    @abstractmethod
    async def read_many(self, machine_id: str, tags: list[str] | None = None) -> dict[str, TagValue]:
        """The machine's tags (all of them when ``tags`` is None), read in as few requests as the protocol allows."""

    @abstractmethod
    async def write(self, machine_id: str, tag: str, value: Value) -> WriteResult:
        """Write one tag after the guard; read it back. Never retried."""

    @abstractmethod
    async def server_range(self, machine_id: str, tag: str) -> ServerRange | None:
        """The range the PLC's server declares for the tag (OPC UA's EURange), or None (Modbus declares none)."""

    async def changes(self, tags: Mapping[str, list[str]]) -> AsyncIterator[TagValue | Unfollowed]:
        """Each change of the machines' tags (machine -> tag names) as their PLCs push it, and an
        :class:`Unfollowed` when a machine's pushes stop; until the caller stops iterating. A PLC that is only
        asked (Modbus) pushes nothing: its machines are polled."""
        return
        yield  # an async generator that ends at once

    async def alarm_conditions(self, machine_id: str) -> list[AlarmCondition] | None:
        """The machine's retained alarm conditions as its PLC's server keeps them (OPC UA Alarms & Conditions), or
        None where its server keeps none: its alarms are then read from its tags."""
        return None

    async def alarm_history(self, machine_id: str, start: datetime, end: datetime) -> list[AlarmCondition] | None:
        """The machine's alarm events from ``start`` to ``end``, oldest first, each as its condition stood after it
        (the server's alarm journal), or None where its server keeps none."""
        return None

    async def acknowledge_alarm(self, machine_id: str, condition: str, comment: str) -> AlarmCondition:
        """Acknowledge one of the machine's alarm conditions (by name or id) on its server; it as reported after."""
        raise Rejected(f"{machine_id}'s PLC keeps no alarm conditions to acknowledge (its protocol has none)")

    async def shelve_alarm(self, machine_id: str, condition: str, seconds: float) -> AlarmCondition:
        """Shelve one of the machine's alarm conditions for ``seconds`` on its server; it as reported after."""
        raise Rejected(f"{machine_id}'s PLC keeps no alarm conditions to shelve (its protocol has none)")

    @abstractmethod
    async def close(self) -> None: ...


class ProtocolPlc(PlcClient):
    """One PLC endpoint in one protocol; subclasses speak the protocol, this class guards and reconnects."""

    endpoint: PlcEndpoint

    def __init__(self, settings: ConnectorSettings, plant: Plant, endpoint: PlcEndpoint) -> None:
        super().__init__(settings, plant)
        self.endpoint = endpoint

    async def read_many(self, machine_id: str, tags: list[str] | None = None) -> dict[str, TagValue]:
        machine = self.plant.machine(machine_id)
        specs = [machine.tag(t) for t in tags] if tags is not None else list(machine.tags.values())
        try:
            values = await self._read_stamped(specs)
        except Unreachable:
            await self._reset()  # one reconnect for reads: they change nothing
            values = await self._read_stamped(specs)
        return {
            spec.name: TagValue(machine_id=machine.id, tag=spec.name, value=v, unit=spec.unit, timestamp=at)
            for spec, (v, at) in zip(specs, values, strict=True)
        }

    async def write(self, machine_id: str, tag: str, value: Value) -> WriteResult:
        spec = self.plant.tag(machine_id, tag)
        if not spec.writable:
            raise Rejected(f"{spec.key} is not on the plant's write allow-list")
        old = (await self._read([spec]))[0]
        checked = guard_write(spec, old, value, await self._server_range(spec))
        try:
            await self._write(spec, checked)
        except ConnectorError as exc:
            raise type(exc)(f"{exc} — the write of {spec.key} may or may not have happened; "
                            f"read it before retrying") from exc
        new = (await self._read([spec]))[0]
        return WriteResult(machine_id=spec.machine_id, tag=spec.name, old_value=old, new_value=new, unit=spec.unit)

    @abstractmethod
    async def _read(self, specs: list[Tag]) -> list[Value]: ...

    async def _read_stamped(self, specs: list[Tag]) -> list[tuple[Value, float]]:
        """Each value with when it was measured: now, for a protocol that is asked (MQTT says when it was)."""
        values = await self._read(specs)
        now = time.time()
        return [(v, now) for v in values]

    @abstractmethod
    async def _write(self, spec: Tag, value: float) -> None: ...

    async def server_range(self, machine_id: str, tag: str) -> ServerRange | None:
        return await self._server_range(self.plant.tag(machine_id, tag))

    async def _server_range(self, spec: Tag) -> ServerRange | None:
        """The range the server declares for the tag, read just before a write; Modbus declares none."""
        return None

    @abstractmethod
    async def _reset(self) -> None:
        """Drop the connection so the next request opens a fresh one."""

    async def close(self) -> None:
        await self._reset()
