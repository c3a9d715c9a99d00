"""The PLC connector over MQTT with Sparkplug B (aiomqtt): a host application of one edge node.

It subscribes to the edge node's topics (``spBv1.0/<group>/+/<edge node>[/<device>]``), asks for its births
(an NCMD of ``Node Control/Rebirth``) and keeps the last value of every metric; a machine is a device of the
node (its id), a tag is a metric (its ``mqtt`` address). A read returns the latest value with the time it was
measured, or says the node or device is dead (NDEATH, DDEATH: its values are stale) or never named the metric.
Its ``changes`` hand on the metrics as the node publishes them (a birth, then data), a dead device or node as
unfollowed, and reconnect to a lost broker after a pause that doubles up to ``MAX_RETRY_S`` (said once in the log).
A write, after the same guard as every PLC, publishes one DCMD with the metric's alias (its name when the birth
gave none) in its birth's datatype, and is confirmed by the device's next DDATA of that metric.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime

import aiomqtt

from connectors.errors import ConnectorError, InvalidRequest, NotFound, Rejected, TimedOut, Unreachable
from connectors.plant import Plant, Tag
from connectors.plc.client import ProtocolPlc, TagValue, Unfollowed, Value
from connectors.plc.sparkplug.edge_state import DeviceState, EdgeNodeState, KnownMetric
from connectors.plc.sparkplug.payload import (
    REBIRTH,
    DataType,
    MessageType,
    SparkplugError,
    Topic,
    metric,
    parse_payload,
    payload,
)
from connectors.plc.sparkplug.schema import MqttEndpoint, UnlockedBroker
from connectors.settings import ConnectorSettings

_FLOAT_TOLERANCE = 1e-6  # relative: a Float metric echoes the command rounded to single precision
FIRST_RETRY_S = 0.5
MAX_RETRY_S = 30.0
log = logging.getLogger(__name__)


def _metric_name(spec: Tag) -> str:
    """The tag's metric; a tag reached over OPC UA or Modbus only has none."""
    name = spec.address("mqtt")
    if name is None:
        raise InvalidRequest(f"{spec.key} has no MQTT metric name in the plant file (mqtt:)")
    return name


def _when(at: float | None) -> str:
    return "at an unknown time" if at is None else datetime.fromtimestamp(at, UTC).strftime("at %Y-%m-%d %H:%M:%S UTC")


class MqttPlc(ProtocolPlc):
    """One Sparkplug B edge node on one broker; user and password are the settings' (PLANT_MQTT_*)."""

    endpoint: MqttEndpoint
    _client: aiomqtt.Client | None = None
    _listener: asyncio.Task[None] | None = None
    _lost: str | None = None

    def __init__(self, settings: ConnectorSettings, plant: Plant, endpoint: MqttEndpoint) -> None:
        super().__init__(settings, plant, endpoint)
        self._state = EdgeNodeState(endpoint.group, endpoint.edge_node)
        self._changed = asyncio.Event()

    @property
    def _where(self) -> str:
        return self.endpoint.where

    @property
    def _node(self) -> str:
        return f"edge node {self.endpoint.group}/{self.endpoint.edge_node}"

    def _tls(self) -> ssl.SSLContext | None:
        if not self.endpoint.tls:
            return None
        ca = self.settings.mqtt_ca_file
        return ssl.create_default_context(cafile=str(ca) if ca else None)

    @property
    def _unlocked(self) -> str:
        """What the broker lacks to be locked (TLS, a user with a password), in words; '' when it is locked."""
        missing = [what for what, has in (("TLS", self.endpoint.tls), ("a user with a password", bool(
            self.settings.mqtt_username and self.settings.mqtt_password))) if not has]
        return " and ".join(missing)

    def _refuse_unlocked(self, doing: str, allowed: set[UnlockedBroker]) -> None:
        unlocked = self._unlocked
        if unlocked and self.endpoint.unlocked_broker not in allowed:
            raise Rejected(f"{doing} over MQTT broker {self._where} refused: it is not locked (it lacks {unlocked}); "
                           f"set tls: true and PLANT_MQTT_USERNAME/PLANT_MQTT_PASSWORD, or say unlocked_broker: "
                           f"read_only (or allow) for it in the plant file")

    async def _connected(self) -> aiomqtt.Client:
        if self._client is not None and self._lost is None:
            return self._client
        self._refuse_unlocked("connecting", {UnlockedBroker.read_only, UnlockedBroker.allow})
        await self._reset()
        password = self.settings.mqtt_password.get_secret_value() if self.settings.mqtt_password else None
        client = aiomqtt.Client(self.endpoint.host, self.endpoint.port, username=self.settings.mqtt_username,
                                password=password, identifier=f"plant-copilot-{uuid.uuid4().hex[:12]}",
                                tls_context=self._tls(), timeout=self.settings.request_timeout_s)
        try:
            await asyncio.wait_for(client.__aenter__(), self.settings.connect_timeout_s)
        except TimeoutError:
            raise TimedOut(f"MQTT broker at {self._where} did not accept a connection in time") from None
        except aiomqtt.MqttCodeError as exc:
            raise Rejected(f"MQTT broker at {self._where} refused the connection: {exc} "
                           f"(PLANT_MQTT_USERNAME, PLANT_MQTT_PASSWORD)") from None
        except aiomqtt.MqttError as exc:
            raise Unreachable(f"MQTT broker at {self._where} is unreachable: {exc}") from None
        if not (self._state.born and not self._state.alive):  # a dead node stays dead until it is born again
            self._state = EdgeNodeState(self.endpoint.group, self.endpoint.edge_node)
        self._client, self._lost = client, None
        base = f"spBv1.0/{self.endpoint.group}/+/{self.endpoint.edge_node}"
        self._listener = asyncio.create_task(self._listen(client), name=f"mqtt {self._where}")
        await self._call("subscribing", client.subscribe([(base, 0), (base + "/+", 0)]))
        await self._rebirth()
        return client

    async def _call(self, what: str, request):
        try:
            return await asyncio.wait_for(request, self.settings.request_timeout_s + 1)
        except TimeoutError:
            await self._reset()
            raise TimedOut(f"MQTT broker at {self._where} did not answer {what} in time") from None
        except aiomqtt.MqttError as exc:
            await self._reset()
            raise Unreachable(f"MQTT connection to {self._where} lost during {what}: {exc}") from None

    async def _rebirth(self) -> None:
        """Ask the edge node for its births: Sparkplug B births are not retained, so a new host asks."""
        topic = Topic(self.endpoint.group, MessageType.NCMD, self.endpoint.edge_node)
        await self._call("asking for a rebirth", self._client.publish(
            str(topic), payload([metric(REBIRTH, DataType.Boolean, True)], None)))

    async def _listen(self, client: aiomqtt.Client) -> None:
        try:
            async for message in client.messages:
                try:
                    topic = Topic.parse(str(message.topic))
                    if topic.type not in (MessageType.NCMD, MessageType.DCMD):
                        self._state.apply(topic, parse_payload(bytes(message.payload), str(topic)))
                except SparkplugError:
                    continue  # one malformed message: the metrics it would have updated keep their value
                self._notify()
        except aiomqtt.MqttError as exc:
            self._lost = f"MQTT connection to {self._where} lost: {exc}"
            self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Wait for ``ready()`` as messages arrive, at most ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not ready():
            if self._lost is not None:
                raise Unreachable(self._lost)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    async def _device(self, machine_id: str) -> DeviceState:
        """The machine's device, alive, born on a live node; else Unreachable saying which is dead since when."""
        await self._connected()
        state = self._state
        born = await self._until(lambda: machine_id in state.devices or (state.born and not state.alive),
                                 self.settings.connect_timeout_s)
        if state.born and not state.alive:
            raise Unreachable(f"{self._node} on {self._where} is offline: it died (NDEATH) {_when(state.since)}; "
                              f"the last values of {machine_id} are stale")
        if not born:
            what = "device birth (DBIRTH)" if state.born else "birth (NBIRTH)"
            raise Unreachable(f"{self._node} on {self._where} published no {what} for {machine_id} within "
                              f"{self.settings.connect_timeout_s:g} s of a rebirth request: is it running, and is "
                              f"{machine_id} one of its devices?")
        device = state.devices[machine_id]
        if not device.alive:
            raise Unreachable(f"device {machine_id} of {self._node} is offline: "
                              f"it died (DDEATH) {_when(device.since)}; its last values are stale")
        return device

    async def birth(self, machine_id: str) -> dict[str, KnownMetric]:
        """The metrics the machine's device declared in its birth, by name (``plant check`` compares them)."""
        return dict((await self._device(machine_id)).metrics.by_name)

    def _known(self, device: DeviceState, spec: Tag) -> KnownMetric:
        name = _metric_name(spec)
        known = device.metrics.by_name.get(name)
        if known is None:
            raise NotFound(f"{spec.key}: device {spec.machine_id} of {self._node} never published a metric "
                           f"{name!r}; its birth names: {', '.join(device.metrics.by_name) or 'none'}")
        if known.value is None:
            raise NotFound(f"{spec.key}: metric {name!r} of device {spec.machine_id} is null")
        return known

    async def _read_stamped(self, specs: list[Tag]) -> list[tuple[Value, float]]:
        for spec in specs:
            _metric_name(spec)  # before any connection
        device = await self._device(specs[0].machine_id)
        return [(known.value, known.timestamp) for known in (self._known(device, s) for s in specs)]

    async def _read(self, specs: list[Tag]) -> list[Value]:
        return [value for value, _ in await self._read_stamped(specs)]

    async def _write(self, spec: Tag, value: float) -> None:
        _metric_name(spec)
        self._refuse_unlocked(f"writing {spec.key}", {UnlockedBroker.allow})
        device = await self._device(spec.machine_id)
        known = self._known(device, spec)
        command = value if known.datatype is not DataType.Boolean else bool(value)
        try:
            sent = metric(None if known.alias is not None else known.name, known.datatype, command,
                          alias=known.alias)
        except SparkplugError as exc:
            raise Rejected(f"{spec.key}: {exc}") from None
        before = known.updates
        topic = Topic(self.endpoint.group, MessageType.DCMD, self.endpoint.edge_node, spec.machine_id)
        await self._call(f"writing {spec.key}", self._client.publish(str(topic), payload([sent], None)))
        if not await self._until(lambda: known.updates > before or not device.alive, self.settings.request_timeout_s):
            raise TimedOut(f"device {spec.machine_id} of {self._node} did not confirm {spec.key} (no DDATA of "
                           f"{known.name!r}) within {self.settings.request_timeout_s:g} s")
        if not device.alive:
            raise Unreachable(f"device {spec.machine_id} of {self._node} died (DDEATH) after the command")
        if not _same(known.value, command):
            raise Rejected(f"{spec.key}: {self._node} kept {known.value!r} instead of {command!r}: the device "
                           f"did not apply the command")

    async def changes(self, tags: Mapping[str, list[str]]) -> AsyncIterator[TagValue | Unfollowed]:
        """The metrics of ``tags`` as the edge node publishes them; a dead device or node, or a lost broker, makes
        its machines unfollowed until they are heard again (the broker retried with backoff)."""
        specs = [s for m, names in tags.items() for s in (self.plant.tag(m, t) for t in names) if s.address("mqtt")]
        heard: dict[str, tuple[int, int]] = {}  # tag key -> (its metric's identity, updates) last handed on
        delay, lost = FIRST_RETRY_S, False
        while True:
            try:
                await self._connected()
                if lost:
                    log.warning("following %s on %s again", self._node, self._where)
                delay, lost = FIRST_RETRY_S, False
                while True:
                    changed = self._changed
                    for item in self._news(specs, heard):
                        yield item
                    if self._lost is not None:
                        raise Unreachable(self._lost)
                    await changed.wait()
            except ConnectorError as exc:
                if not lost:
                    log.warning("following %s on %s was lost (%s); reconnecting with backoff up to %g s", self._node,
                                self._where, exc, MAX_RETRY_S)
                lost = True
            for machine_id in sorted({s.machine_id for s in specs}):
                yield Unfollowed(machine_id=machine_id, why=f"{self._node} on {self._where} is not heard")
            heard.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_S)

    def _news(self, specs: list[Tag], heard: dict[str, tuple[int, int]]) -> list[TagValue | Unfollowed]:
        """What changed since ``heard``: each metric published again, each machine whose device or node died."""
        news: list[TagValue | Unfollowed] = []
        for spec in specs:
            device = self._state.devices.get(spec.machine_id)
            if device is None or not device.alive or not self._state.alive:
                if heard.pop(spec.key, None) is not None:
                    news.append(Unfollowed(machine_id=spec.machine_id, why=f"{spec.machine_id} is offline"))
                continue
            known = device.metrics.by_name.get(_metric_name(spec))
            if known is None or known.value is None or heard.get(spec.key) == (id(known), known.updates):
                continue
            heard[spec.key] = (id(known), known.updates)
            news.append(TagValue(machine_id=spec.machine_id, tag=spec.name, value=known.value, unit=spec.unit,
                                 timestamp=known.timestamp))
        return news

    async def _reset(self) -> None:
        client, listener = self._client, self._listener
        self._client = self._listener = None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError):
                await client.__aexit__(None, None, None)


def _same(echoed: Value | None, sent: Value) -> bool:
    if isinstance(sent, bool) or not isinstance(echoed, int | float):
        return echoed == sent
    return abs(float(echoed) - float(sent)) <= _FLOAT_TOLERANCE * max(1.0, abs(float(sent)))
