"""The PLC connector over OPC UA (asyncua). Reads all requested nodes in one service call.

Its alarm conditions come from the server's Alarms & Conditions events (``connectors.plc.opcua.alarms``): the
subscription opens on the first question about them and lives with the session; a server without A&C answers
None, so the alarms are read from the tags. The server's alarm journal is read by HistoryRead of its events, a
tag's history by HistoryRead of its node's raw values.

A write needs a session that is signed to a trusted, pinned server certificate, unless the plant file
lets the copilot write without security (``plant.opcua_writes_without_security``, the loopback demo);
it is also held to the EURange the server declares for the tag.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import datetime

from asyncua import Client, ua

from connectors.errors import InvalidRequest, Rejected, TimedOut, Unreachable
from connectors.plant import Tag
from connectors.plc.alarms import AlarmCondition
from connectors.plc.client import ProtocolPlc, ServerRange, TagValue, Unfollowed, Value, WriteResult
from connectors.plc.opcua.alarms import AlarmList, journal
from connectors.plc.opcua.follow import follow
from connectors.plc.opcua.history import raw_samples
from connectors.plc.opcua.model import as_variant, eu_range
from connectors.plc.opcua.schema import OpcUaEndpoint
from connectors.plc.opcua.session import close_quietly, open_session
from connectors.settings import OpcUaSecurity

_NO_ANSWER = {ua.StatusCodes.BadNoCommunication, ua.StatusCodes.BadCommunicationError,
              ua.StatusCodes.BadServerNotConnected}


def _node(spec: Tag) -> ua.NodeId:
    """The tag's node id; a tag reached over Modbus only has none."""
    node_id = spec.address("opcua")
    if node_id is None:
        raise InvalidRequest(f"{spec.key} has no OPC UA node id in the plant file; read it over Modbus")
    return ua.NodeId.from_string(node_id)


class OpcUaPlc(ProtocolPlc):
    """One OPC UA server (its URL and security, else the settings'); user and certificates are the settings'."""

    endpoint: OpcUaEndpoint
    _client: Client | None = None
    _alarms: AlarmList | None = None
    _no_alarms: bool = False  # the server said it has no alarm conditions

    @property
    def _url(self) -> str:
        return self.endpoint.url

    @property
    def _security(self) -> OpcUaSecurity:
        return self.endpoint.security or self.settings.opcua_security

    async def _connected(self) -> Client:
        if self._client is None:
            self._client = await open_session(self.settings, self._url, self._security)
        return self._client

    def _status(self, what: str, code: ua.StatusCode) -> None:
        if code.is_good():
            return
        if code.value in _NO_ANSWER:
            raise Unreachable(f"{what}: the PLC does not answer ({code.name})")
        raise Rejected(f"{what}: the server refused ({code.name})")

    async def _guarded(self, what: str, call):
        try:
            return await asyncio.wait_for(call, self.settings.request_timeout_s + 1)
        except TimeoutError:
            await self._reset()
            raise TimedOut(f"OPC UA server {self._url} did not answer {what} in time") from None
        except ua.UaStatusCodeError as exc:
            self._status(what, ua.StatusCode(exc.code))
            raise
        except (ConnectionError, OSError, ua.UaError) as exc:
            await self._reset()
            raise Unreachable(f"OPC UA connection to {self._url} lost during {what}: {exc}") from None

    async def write(self, machine_id: str, tag: str, value: Value) -> WriteResult:
        """Refuse a write over a session without security unless the plant file allows it; then as any PLC."""
        spec = self.plant.tag(machine_id, tag)
        if self._security is OpcUaSecurity.none and not self.plant.plant.opcua_writes_without_security:
            raise Rejected(
                f"{spec.key} is not written over OPC UA without security: set PLANT_OPCUA_SECURITY=sign_and_encrypt "
                f"(or security: sign_and_encrypt in its plcs: entry) and trust the server's certificate "
                f"(`plant-copilot opcua trust {self._url}`), or let the plant file allow it "
                f"(plant: opcua_writes_without_security: true — for a demo on loopback only)")
        return await super().write(machine_id, tag, value)

    async def _read(self, specs: list[Tag]) -> list[Value]:
        nodeids = [_node(s) for s in specs]
        client = await self._connected()
        what = f"reading {specs[0].machine_id} {', '.join(s.name for s in specs)}"
        results = await self._guarded(what, client.uaclient.read_attributes(nodeids, ua.AttributeIds.Value))
        values = []
        for spec, result in zip(specs, results, strict=True):
            self._status(f"reading {spec.key}", result.StatusCode)
            values.append(result.Value.Value)
        return values

    async def _server_range(self, spec: Tag) -> ServerRange | None:
        nodeid = _node(spec)
        client = await self._connected()
        node = client.get_node(nodeid)
        declared = await self._guarded(f"reading the EURange of {spec.key}", eu_range(node))
        return None if declared is None else ServerRange(declared.Low, declared.High, f"OPC UA server {self._url}")

    async def _write(self, spec: Tag, value: float) -> None:
        nodeid = _node(spec)
        client = await self._connected()
        node = client.get_node(nodeid)
        await self._guarded(f"writing {spec.key}", node.write_value(ua.DataValue(as_variant(spec, value))))

    async def changes(self, tags: Mapping[str, list[str]]) -> AsyncIterator[TagValue | Unfollowed]:
        """The tags followed by monitored items on a session of their own (``connectors.plc.opcua.follow``),
        resubscribed after a lost link; a tag without a node id is left to be polled."""
        specs = [self.plant.tag(m, t) for m, names in tags.items() for t in names]
        followed = [s for s in specs if s.address("opcua") is not None]
        if not followed:
            return
        async for item in follow(self.settings, self._url, self._security, followed):
            yield item

    async def _alarm_list(self) -> AlarmList | None:
        """The server's alarm list, subscribed on first use; None where the server has no alarm conditions. A list
        kept from before is only trusted while its session answers (a dead one is dropped, Unreachable)."""
        if self._no_alarms:
            return None
        if self._alarms is not None:
            client = await self._connected()
            await self._guarded("checking the alarm subscription's session", client.nodes.server_state.read_value())
        if self._alarms is None:
            client = await self._connected()
            alarms = AlarmList()
            try:
                await self._guarded("subscribing to the alarm conditions",
                                    alarms.subscribe(client, self.settings.request_timeout_s))
            except Rejected:
                self._no_alarms = True
                return None
            self._alarms = alarms
        return self._alarms

    async def alarm_conditions(self, machine_id: str) -> list[AlarmCondition] | None:
        try:
            alarms = await self._alarm_list()
        except Unreachable:  # one reconnect, as for reads: the list is subscribed and refreshed anew
            alarms = await self._alarm_list()
        return None if alarms is None else alarms.of(self.plant.machine(machine_id).id)

    async def alarm_history(self, machine_id: str, start: datetime, end: datetime) -> list[AlarmCondition] | None:
        machine = self.plant.machine(machine_id)
        try:
            events = await self._guarded(f"reading the alarm journal for {machine.id}",
                                         journal(await self._connected(), start, end))
        except Rejected:
            return None
        return [e for e in events if e.machine_id == machine.id]

    async def history(self, machine_id: str, tag: str, window_s: float) -> list[tuple[float, float]]:
        """The tag's good raw values over the last ``window_s`` seconds of its history, by HistoryRead."""
        spec = self.plant.tag(machine_id, tag)
        node = (await self._connected()).get_node(_node(spec))
        return await self._guarded(f"reading the history of {spec.key}", raw_samples(node, window_s))

    async def _alarm(self, machine_id: str, condition: str, what: str) -> tuple[AlarmList, AlarmCondition]:
        alarms = await self._alarm_list()
        if alarms is None:
            raise Rejected(f"OPC UA server {self._url} keeps no alarm conditions to {what}")
        return alarms, alarms.get(self.plant.machine(machine_id).id, condition)

    async def acknowledge_alarm(self, machine_id: str, condition: str, comment: str) -> AlarmCondition:
        alarms, found = await self._alarm(machine_id, condition, "acknowledge")
        return await self._guarded(f"acknowledging {machine_id} {found.condition}", alarms.acknowledge(
            await self._connected(), found, comment, self.settings.request_timeout_s))

    async def shelve_alarm(self, machine_id: str, condition: str, seconds: float) -> AlarmCondition:
        alarms, found = await self._alarm(machine_id, condition, "shelve")
        return await self._guarded(f"shelving {machine_id} {found.condition}", alarms.shelve(
            await self._connected(), found, seconds, self.settings.request_timeout_s))

    async def _reset(self) -> None:
        self._alarms = None
        if self._client is not None:
            client, self._client = self._client, None
            await close_quietly(client)
