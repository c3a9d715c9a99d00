"""The live alarm list of one OPC UA server, kept from its Alarms & Conditions events.

An event subscription on the Server object selects the condition fields; ConditionRefresh at the start sends every
retained condition, and the list counts as complete once the RefreshEndEvent has come. A condition stays in the
list while the server retains it and leaves when an event says it is no longer retained. Acknowledge and shelve
call the standard methods (Acknowledge on the condition, TimedShelve on its ShelvingState) and wait until the
server's event shows the change. A server that has no ConditionRefresh has no alarm conditions. ``journal`` reads
the events the server historized on its Server object (HistoryRead of events): its alarm journal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from asyncua import Client, ua
from asyncua.common.events import Event

from connectors.errors import NotFound, Rejected, TimedOut
from connectors.plc.alarms import AlarmCondition

_FIELDS = [
    (ua.ObjectIds.BaseEventType, "EventId"), (ua.ObjectIds.BaseEventType, "EventType"),
    (ua.ObjectIds.BaseEventType, "SourceName"), (ua.ObjectIds.BaseEventType, "Time"),
    (ua.ObjectIds.BaseEventType, "Message"), (ua.ObjectIds.BaseEventType, "Severity"),
    (ua.ObjectIds.ConditionType, "ConditionName"), (ua.ObjectIds.ConditionType, "Retain"),
    (ua.ObjectIds.AcknowledgeableConditionType, "AckedState/Id"),
    (ua.ObjectIds.AcknowledgeableConditionType, "ConfirmedState/Id"),
    (ua.ObjectIds.AlarmConditionType, "ActiveState/Id"),
    (ua.ObjectIds.AlarmConditionType, "ActiveState/TransitionTime"),
    (ua.ObjectIds.AlarmConditionType, "SuppressedOrShelved"),
    (ua.ObjectIds.AlarmConditionType, "ShelvingState/UnshelveTime"),
]
_REFRESH_END = ua.NodeId(ua.ObjectIds.RefreshEndEventType)
PUBLISHING_MS = 200


def _operand(type_id: int, path: str) -> ua.SimpleAttributeOperand:
    return ua.SimpleAttributeOperand(TypeDefinitionId=ua.NodeId(type_id),
                                     BrowsePath=[ua.QualifiedName(part, 0) for part in path.split("/")],
                                     AttributeId=ua.AttributeIds.Value)


def event_filter() -> ua.EventFilter:
    """The fields of a condition's event, and its ConditionId (the NodeId of the ConditionType, per Part 9)."""
    condition_id = ua.SimpleAttributeOperand(TypeDefinitionId=ua.NodeId(ua.ObjectIds.ConditionType), BrowsePath=[],
                                             AttributeId=ua.AttributeIds.NodeId)
    return ua.EventFilter(SelectClauses=[*(_operand(t, p) for t, p in _FIELDS), condition_id])


def _field(event: Event, name: str):
    return getattr(event, name, None)


def condition_of(event: Event) -> AlarmCondition:
    """A condition's event as the typed condition."""
    text = _field(event, "Message")
    unshelve_ms = _field(event, "ShelvingState/UnshelveTime")
    shelved = bool(_field(event, "SuppressedOrShelved"))
    return AlarmCondition(
        condition_id=_field(event, "NodeId").to_string(), machine_id=_field(event, "SourceName") or "",
        condition=_field(event, "ConditionName") or "", severity=_field(event, "Severity") or 0,
        message=(text.Text if isinstance(text, ua.LocalizedText) else str(text or "")) or "",
        active=bool(_field(event, "ActiveState/Id")), acked=bool(_field(event, "AckedState/Id")),
        confirmed=_field(event, "ConfirmedState/Id") is not False, shelved=shelved,
        time=_field(event, "Time") or datetime.now(UTC), active_since=_field(event, "ActiveState/TransitionTime"),
        shelved_for_s=unshelve_ms / 1000.0 if shelved and unshelve_ms else None,
        event_id=(_field(event, "EventId") or b"").hex())


async def journal(client: Client, start: datetime, end: datetime) -> list[AlarmCondition]:
    """The condition events the server kept from ``start`` to ``end``, oldest first (as many as it returns in one
    read); Rejected where it keeps none."""
    evfilter = event_filter()
    details = ua.ReadEventDetails(StartTime=start, EndTime=end, NumValuesPerNode=0, Filter=evfilter)
    result = await client.nodes.server.history_read_events(details)
    if not result.StatusCode.is_good():
        raise Rejected(f"the server keeps no alarm journal ({result.StatusCode.name})")
    events = [Event.from_event_fields(evfilter.SelectClauses, e.EventFields)
              for e in (result.HistoryData.Events if result.HistoryData else [])]
    return sorted((condition_of(e) for e in events if _field(e, "NodeId") is not None), key=lambda c: c.time)


class AlarmList:
    """The retained conditions of one server, by condition id; an asyncua subscription handler."""

    def __init__(self) -> None:
        self._conditions: dict[str, AlarmCondition] = {}
        self._last: dict[str, AlarmCondition] = {}  # every condition's last event, retained or not
        self._refreshed = asyncio.Event()
        self._changed = asyncio.Event()

    def event_notification(self, event: Event) -> None:
        if _field(event, "EventType") == _REFRESH_END:
            self._refreshed.set()
        elif _field(event, "NodeId") is not None:
            condition = condition_of(event)
            self._last[condition.condition_id] = condition
            if _field(event, "Retain"):
                self._conditions[condition.condition_id] = condition
            else:
                self._conditions.pop(condition.condition_id, None)
            self._changed.set()

    async def subscribe(self, client: Client, timeout_s: float) -> None:
        """Subscribe to the server's condition events and refresh them; Rejected where the server has no A&C."""
        subscription = await client.create_subscription(PUBLISHING_MS, self)
        await subscription.subscribe_events(client.nodes.server, evfilter=event_filter(), queuesize=1000)
        refresh = client.get_node(ua.NodeId(ua.ObjectIds.ConditionType))
        try:
            await refresh.call_method(ua.NodeId(ua.ObjectIds.ConditionType_ConditionRefresh),
                                      ua.Variant(subscription.subscription_id, ua.VariantType.UInt32))
        except ua.UaStatusCodeError as exc:
            await subscription.delete()
            raise Rejected(f"the server has no alarm conditions (ConditionRefresh: {exc})") from None
        try:
            await asyncio.wait_for(self._refreshed.wait(), timeout_s)
        except TimeoutError:
            await subscription.delete()
            raise TimedOut(f"the server did not end its ConditionRefresh within {timeout_s:g} s") from None

    def of(self, machine_id: str) -> list[AlarmCondition]:
        """The machine's retained conditions, most severe first, then the newest."""
        found = [c for c in self._conditions.values() if c.machine_id == machine_id]
        return sorted(found, key=lambda c: (-c.severity, -c.time.timestamp()))

    def get(self, machine_id: str, condition: str) -> AlarmCondition:
        """The machine's retained condition named ``condition`` (its name or its id); NotFound saying which exist."""
        for c in self.of(machine_id):
            if condition in (c.condition, c.condition_id):
                return c
        names = ", ".join(c.condition for c in self.of(machine_id)) or "none"
        raise NotFound(f"{machine_id} has no alarm {condition!r} in its alarm list; it has: {names}")

    async def acknowledge(self, client: Client, condition: AlarmCondition, comment: str,
                          timeout_s: float) -> AlarmCondition:
        """Acknowledge the condition's last event; the condition as the server reports it after."""
        if condition.acked:
            raise Rejected(f"{condition.machine_id} {condition.condition} is already acknowledged")
        await client.get_node(ua.NodeId.from_string(condition.condition_id)).call_method(
            ua.NodeId(ua.ObjectIds.AcknowledgeableConditionType_Acknowledge),
            ua.Variant(bytes.fromhex(condition.event_id), ua.VariantType.ByteString),
            ua.Variant(ua.LocalizedText(comment), ua.VariantType.LocalizedText))
        return await self._until(condition, lambda c: c.acked, "acknowledged", timeout_s)

    async def shelve(self, client: Client, condition: AlarmCondition, seconds: float,
                     timeout_s: float) -> AlarmCondition:
        """Shelve the condition for ``seconds`` (TimedShelve); the condition as the server reports it after."""
        if condition.shelved:
            raise Rejected(f"{condition.machine_id} {condition.condition} is already shelved")
        shelving = await client.get_node(ua.NodeId.from_string(condition.condition_id)).get_child("0:ShelvingState")
        await shelving.call_method(ua.NodeId(ua.ObjectIds.ShelvedStateMachineType_TimedShelve),
                                   ua.Variant(seconds * 1000.0, ua.VariantType.Double))
        return await self._until(condition, lambda c: c.shelved, "shelved", timeout_s)

    async def _until(self, before: AlarmCondition, done: Callable[[AlarmCondition], bool], what: str,
                     timeout_s: float) -> AlarmCondition:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            now = self._last.get(before.condition_id, before)
            if done(now):
                return now
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(deadline - loop.time(), 0.0))
            except TimeoutError:
                raise TimedOut(f"the server accepted it, but no event showed {before.machine_id} "
                               f"{before.condition} {what} within {timeout_s:g} s") from None
