"""The simulated plant as a Sparkplug B edge node on an MQTT broker: each machine a device, each tag a metric.

On connect it publishes NBIRTH (with its bdSeq, whose NDEATH the broker holds as its will) and a DBIRTH per
machine; each tick, a DDATA of the metrics that changed; a machine whose PLC goes offline, a DDEATH (its
birth again when it is back). A DCMD goes through the PLC's own write (``PlantSimulation.write``, the path
an OPC UA or Modbus write takes) and is answered by a DDATA of the metrics it named, changed or not; an NCMD
of ``Node Control/Rebirth`` republishes the births. Lost connections are retried with a new bdSeq; on
stopping it publishes its NDEATH itself before it disconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import aiomqtt

from connectors.errors import ConnectorError
from connectors.plant import Machine, Plant, Tag
from connectors.plc.sparkplug.payload import (
    BDSEQ,
    REBIRTH,
    DataType,
    MessageType,
    Metric,
    SparkplugError,
    Topic,
    datatype_of,
    metric,
    metric_name,
    parse_payload,
    payload,
    value_of,
)
from simulator.physics import PlantSimulation

log = logging.getLogger(__name__)

RETRY_S = 1.0


@dataclass(frozen=True)
class Broker:
    """An MQTT broker's address; ``parse`` reads ``HOST:PORT``."""

    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Broker:
        host, sep, port = text.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"an MQTT broker is HOST:PORT, not {text!r}")
        return cls(host, int(port))


@dataclass(frozen=True)
class Publishing:
    """Where the simulator publishes its tags as Sparkplug B: the broker, the group and its edge node id, and the
    broker's user and password for it (anonymous when None)."""

    broker: Broker
    group: str
    edge_node: str
    username: str | None = None
    password: str | None = None


@dataclass
class _Session:
    """One MQTT session's numbering: bdSeq of the session, seq of each message (0 on NBIRTH, mod 256)."""

    bd_seq: int
    seq: int = 0
    published: dict[str, dict[str, object]] = field(default_factory=dict)
    offline: set[str] = field(default_factory=set)

    def next_seq(self) -> int:
        self.seq = (self.seq + 1) % 256
        return self.seq


class EdgeNode:
    """The plant's PLCs published to ``broker`` as edge node ``group``/``edge_node``."""

    def __init__(self, sim: PlantSimulation, plant: Plant, where: Publishing, tick_s: float) -> None:
        self._sim, self._plant, self._broker, self._login = sim, plant, where.broker, (where.username, where.password)
        self._group, self._edge_node, self._tick_s = where.group, where.edge_node, tick_s
        self._alias_of = {tag.key: number for number, tag in enumerate(plant.all_tags(), start=1)}
        self._bd_seq = 0

    def _topic(self, kind: MessageType, device: str | None = None) -> str:
        return str(Topic(self._group, kind, self._edge_node, device))

    def _tag_of(self, machine: Machine, m: Metric) -> Tag | None:
        for tag in machine.tags.values():
            if (m.HasField("alias") and self._alias_of[tag.key] == m.alias) or (m.name and metric_name(tag) == m.name):
                return tag
        return None

    def _metric(self, tag: Tag, *, birth: bool) -> Metric:
        return metric(metric_name(tag) if birth else None, datatype_of(tag), self._sim.read(tag.machine_id, tag.name),
                      alias=self._alias_of[tag.key])

    async def run(self) -> None:
        """Publish until cancelled, reconnecting with a new bdSeq whenever the broker is lost."""
        while True:
            session = _Session(self._bd_seq)
            self._bd_seq = (self._bd_seq + 1) % 256
            death = payload([metric(BDSEQ, DataType.UInt64, session.bd_seq)], None)
            will = aiomqtt.Will(self._topic(MessageType.NDEATH), death, qos=1)
            try:
                async with aiomqtt.Client(self._broker.host, self._broker.port, will=will,
                                          username=self._login[0], password=self._login[1],
                                          identifier=f"plant-sim-{self._group}-{self._edge_node}") as client:
                    try:
                        await self._serve(client, session)
                    except asyncio.CancelledError:  # stopping: say so, as the broker would for a lost session
                        with contextlib.suppress(aiomqtt.MqttError):
                            await client.publish(self._topic(MessageType.NDEATH), death, qos=1, timeout=2)
                        raise
            except aiomqtt.MqttError as exc:
                log.warning("MQTT broker %s:%d: %s; retrying in %g s", self._broker.host, self._broker.port, exc,
                            RETRY_S)
            await asyncio.sleep(RETRY_S)

    async def _serve(self, client: aiomqtt.Client, session: _Session) -> None:
        await client.subscribe([(self._topic(MessageType.NCMD), 0), (self._topic(MessageType.DCMD, "+"), 0)])
        await self._births(client, session)
        commands = asyncio.create_task(self._commands(client, session))
        try:
            while not commands.done():
                await asyncio.wait([commands], timeout=self._tick_s)
                await self._changes(client, session)
            commands.result()
        finally:
            commands.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await commands

    async def _births(self, client: aiomqtt.Client, session: _Session) -> None:
        session.seq = 0
        node = [metric(BDSEQ, DataType.UInt64, session.bd_seq), metric(REBIRTH, DataType.Boolean, False)]
        await client.publish(self._topic(MessageType.NBIRTH), payload(node, 0))
        session.published, session.offline = {}, set()
        for machine in self._plant.machines.values():
            await self._device_birth(client, session, machine)

    async def _device_birth(self, client: aiomqtt.Client, session: _Session, machine: Machine) -> None:
        if self._sim.is_offline(machine.id):
            session.offline.add(machine.id)
            await client.publish(self._topic(MessageType.DDEATH, machine.id), payload([], session.next_seq()))
            return
        session.offline.discard(machine.id)
        metrics = [self._metric(tag, birth=True) for tag in machine.tags.values()]
        session.published[machine.id] = {
            tag.name: self._sim.read(machine.id, tag.name) for tag in machine.tags.values()
        }
        await client.publish(self._topic(MessageType.DBIRTH, machine.id), payload(metrics, session.next_seq()))

    async def _changes(self, client: aiomqtt.Client, session: _Session) -> None:
        """DDATA of what changed since it was last published; DDEATH or DBIRTH when a PLC went or came back."""
        for machine in self._plant.machines.values():
            offline = self._sim.is_offline(machine.id)
            if offline != (machine.id in session.offline):
                if offline:
                    session.offline.add(machine.id)
                    await client.publish(self._topic(MessageType.DDEATH, machine.id), payload([], session.next_seq()))
                else:
                    await self._device_birth(client, session, machine)
                continue
            if offline:
                continue
            last = session.published[machine.id]
            changed = [tag for tag in machine.tags.values() if self._sim.read(machine.id, tag.name) != last[tag.name]]
            await self._data(client, session, machine, changed)

    async def _data(self, client: aiomqtt.Client, session: _Session, machine: Machine, tags: list[Tag]) -> None:
        if not tags:
            return
        metrics = [self._metric(tag, birth=False) for tag in tags]
        for tag in tags:
            session.published[machine.id][tag.name] = self._sim.read(machine.id, tag.name)
        await client.publish(self._topic(MessageType.DDATA, machine.id), payload(metrics, session.next_seq()))

    async def _commands(self, client: aiomqtt.Client, session: _Session) -> None:
        async for message in client.messages:
            try:
                topic = Topic.parse(str(message.topic))
                command = parse_payload(bytes(message.payload), str(topic))
            except SparkplugError as exc:
                log.warning("ignored: %s", exc)
                continue
            if topic.type is MessageType.NCMD:
                if any(m.name == REBIRTH and m.boolean_value for m in command.metrics):
                    await self._births(client, session)
            elif topic.device in self._plant.machines and topic.device not in session.offline:
                await self._apply(client, session, self._plant.machines[topic.device], command.metrics)

    async def _apply(self, client: aiomqtt.Client, session: _Session, machine: Machine, metrics) -> None:
        """Each commanded metric through the PLC's write; then its value as it stands, applied or not."""
        answered: list[Tag] = []
        for m in metrics:
            tag = self._tag_of(machine, m)
            if tag is None:
                log.warning("DCMD for %s names no metric of it (%s)", machine.id, m.name or m.alias)
                continue
            try:
                self._sim.write(machine.id, tag.name, value_of(m, datatype_of(tag)))
            except (ConnectorError, SparkplugError) as exc:
                log.warning("DCMD refused: %s", exc)
            answered.append(tag)
        await self._data(client, session, machine, answered)
