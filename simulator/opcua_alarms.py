"""The simulated plant's alarms as OPC UA Alarms & Conditions, served beside its variables.

Each condition of :mod:`simulator.alarm_conditions` is a node of its standard type (ExclusiveLimitAlarmType for a
limit, OffNormalAlarmType for a PLC alarm or a PLC offline) under its machine, with a ShelvingState object, and
raises its events from the Server object: when it becomes active, clears, is acknowledged, confirmed, shelved or
unshelved (and when a shelving's time runs out). An event carries the condition's id (ConditionId), SourceName
(the machine), ConditionName, Severity, Message, Retain and the states ActiveState, AckedState, ConfirmedState
and ShelvingState/CurrentState with their Ids. The standard methods change them: Acknowledge and Confirm (called on
the type's method with the condition as the object, as clients do), TimedShelve and Unshelve (on the condition's
ShelvingState). ConditionRefresh judges every condition, then resends those retained. A condition is retained
while it is active or unacknowledged. Shelving is for at most ``MAX_TIME_SHELVED_MS``; a shelved alarm still
changes state, its events flagged SuppressedOrShelved.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asyncua import Node, Server, ua
from asyncua.common import event_objects
from asyncua.server.event_generator import EventGenerator

from connectors.plant import Plant
from simulator.alarm_conditions import AlarmDefinition, ConditionKind, definitions, judge
from simulator.physics import PlantSimulation
from simulator.rounds import Rounds

MAX_TIME_SHELVED_MS = 8 * 3600 * 1000.0
POLL_S = 0.25
_LOCALE = "en"


def _text(text: str) -> ua.LocalizedText:
    return ua.LocalizedText(text, _LOCALE)


@dataclass
class _Condition:
    """One condition's node ids, its event (which the server keeps as the condition's last state) and state."""

    definition: AlarmDefinition
    node_id: ua.NodeId
    shelving_id: ua.NodeId
    event: event_objects.AlarmCondition
    active: bool = False
    acked: bool = True
    confirmed: bool = True
    shelved_until: datetime | None = None
    message: str = ""
    generator: EventGenerator | None = field(default=None, repr=False)


def _event_of(definition: AlarmDefinition, node_id: ua.NodeId, source: ua.NodeId,
              input_node: ua.NodeId | None) -> event_objects.AlarmCondition:
    """The condition's event object with its fixed fields; the states are set at each event."""
    limit = definition.kind in (ConditionKind.high, ConditionKind.low)
    event = event_objects.ExclusiveLimitAlarm() if limit else event_objects.OffNormalAlarm()
    event.add_property("NodeId", node_id, ua.VariantType.NodeId)
    event.add_property("ShelvingState/CurrentState", None, ua.VariantType.LocalizedText)
    event.add_property("ShelvingState/CurrentState/Id", None, ua.VariantType.NodeId)
    event.add_property("ShelvingState/UnshelveTime", None, ua.VariantType.Double)
    # asyncua declares these by their data type's NodeId, which a Variant cannot carry: declare them by value type
    event.add_property("ActiveState/TransitionTime", None, ua.VariantType.DateTime)
    event.add_property("MaxTimeShelved", MAX_TIME_SHELVED_MS, ua.VariantType.Double)
    event.SourceNode = source
    event.SourceName = definition.machine.id
    event.ConditionName = definition.name
    event.ConditionClassId = ua.NodeId(ua.ObjectIds.ProcessConditionClassType)
    event.ConditionClassName = _text("Process")
    event.Severity = event.LastSeverity = definition.severity
    event.InputNode = input_node
    event.EnabledState = _text("Enabled")
    setattr(event, "EnabledState/Id", True)
    event.Quality = ua.StatusCode()
    if definition.kind is ConditionKind.high:
        event.HighLimit = definition.limit
    elif definition.kind is ConditionKind.low:
        event.LowLimit = definition.limit
    return event


def _set(event: event_objects.AlarmCondition, state: str, value: bool, true: str, false: str) -> None:
    setattr(event, f"{state}/Id", value)
    setattr(event, state, _text(true if value else false))


class AlarmServer:
    """The plant's conditions on one asyncua server: nodes, methods, and the loop that judges them."""

    def __init__(self, server: Server, sim: PlantSimulation, plant: Plant, idx: int) -> None:
        self._server, self._sim, self._plant, self._idx = server, sim, plant, idx
        self._conditions: dict[ua.NodeId, _Condition] = {}
        self._rounds = Rounds(self.poll, POLL_S, "judging the OPC UA alarm conditions")
        self._raising = asyncio.Lock()  # one event at a time: the loop and the methods share the events' fields

    async def add(self, machine_nodes: dict[str, Node]) -> None:
        """A node and an event generator for each of the plant's conditions, under its machine's node."""
        for definition in definitions(self._plant):
            machine_node = machine_nodes[definition.machine.id]
            prefix = f"{definition.machine.line_id}.{definition.machine.id}.{definition.name}"
            node_id, shelving_id = ua.NodeId(prefix, self._idx), ua.NodeId(f"{prefix}.ShelvingState", self._idx)
            limit = definition.kind in (ConditionKind.high, ConditionKind.low)
            type_id = ua.ObjectIds.ExclusiveLimitAlarmType if limit else ua.ObjectIds.OffNormalAlarmType
            await self._add_object(machine_node.nodeid, node_id, ua.QualifiedName(definition.name, self._idx), type_id,
                                   ua.ObjectIds.HasComponent)
            await self._add_object(node_id, shelving_id, ua.QualifiedName("ShelvingState", 0),
                                   ua.ObjectIds.ShelvedStateMachineType, ua.ObjectIds.HasComponent)
            await machine_node.add_reference(node_id, ua.ObjectIds.HasCondition)
            tag = definition.tag
            input_node = ua.NodeId.from_string(tag.opcua) if tag is not None and tag.opcua else None
            event = _event_of(definition, node_id, machine_node.nodeid, input_node)
            condition = _Condition(definition, node_id, shelving_id, event)
            condition.generator = await self._server.get_event_generator(event, ua.ObjectIds.Server)
            self._conditions[node_id] = self._conditions[shelving_id] = condition
        self._bind_methods()

    async def _add_object(self, parent: ua.NodeId, node_id: ua.NodeId, name: ua.QualifiedName, type_id: int,
                          reference: int) -> None:
        item = ua.AddNodesItem(
            RequestedNewNodeId=node_id, BrowseName=name, NodeClass=ua.NodeClass.Object, ParentNodeId=parent,
            ReferenceTypeId=ua.NodeId(reference), TypeDefinition=ua.NodeId(type_id),
            NodeAttributes=ua.ObjectAttributes(DisplayName=ua.LocalizedText(name.Name)))
        (result,) = await self._server.iserver.isession.add_nodes([item])
        result.StatusCode.check()

    def _bind_methods(self) -> None:
        for method, call in (
            (ua.ObjectIds.ConditionType_ConditionRefresh, self._refresh),
            (ua.ObjectIds.AcknowledgeableConditionType_Acknowledge, self._acknowledge),
            (ua.ObjectIds.AcknowledgeableConditionType_Confirm, self._confirm),
            (ua.ObjectIds.AlarmConditionType_ShelvingState_TimedShelve, self._timed_shelve),
            (ua.ObjectIds.ShelvedStateMachineType_TimedShelve, self._timed_shelve),
            (ua.ObjectIds.AlarmConditionType_ShelvingState_Unshelve, self._unshelve),
            (ua.ObjectIds.ShelvedStateMachineType_Unshelve, self._unshelve),
        ):
            self._server.link_method(self._server.get_node(ua.NodeId(method)), call)

    def start(self) -> None:
        """Judge every condition now and every ``POLL_S`` until ``stop``."""
        self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def poll(self) -> None:
        """Raise an event for each condition that became active or cleared, or whose shelving ran out."""
        now = datetime.now(UTC)
        for node_id, condition in self._conditions.items():
            if node_id != condition.node_id:
                continue  # the entry of its ShelvingState
            if condition.shelved_until is not None and now >= condition.shelved_until:
                condition.shelved_until = None
                await self._raise(condition, "shelving expired: " + condition.message)
            judgement = judge(condition.definition, self._sim, self._plant)
            if judgement is None:
                continue
            condition.message = judgement.message
            if judgement.active == condition.active:
                continue
            condition.active = judgement.active
            if judgement.active:
                condition.acked = condition.confirmed = False
            await self._raise(condition, judgement.message, transition=True)

    async def _raise(self, condition: _Condition, message: str, *, transition: bool = False,
                     comment: str | None = None) -> None:
        async with self._raising:
            await self._emit(condition, message, transition, comment)

    async def _emit(self, condition: _Condition, message: str, transition: bool, comment: str | None) -> None:
        event, now = condition.event, datetime.now(UTC)
        _set(event, "ActiveState", condition.active, "Active", "Inactive")
        _set(event, "AckedState", condition.acked, "Acknowledged", "Unacknowledged")
        _set(event, "ConfirmedState", condition.confirmed, "Confirmed", "Unconfirmed")
        if transition:
            setattr(event, "ActiveState/TransitionTime", now)
        shelved = condition.shelved_until is not None
        state_id = ua.ObjectIds.ShelvedStateMachineType_TimedShelved if shelved \
            else ua.ObjectIds.ShelvedStateMachineType_Unshelved
        setattr(event, "ShelvingState/CurrentState", _text("TimedShelved" if shelved else "Unshelved"))
        setattr(event, "ShelvingState/CurrentState/Id", ua.NodeId(state_id))
        setattr(event, "ShelvingState/UnshelveTime",
                (condition.shelved_until - now).total_seconds() * 1000.0 if shelved else 0.0)
        event.SuppressedOrShelved = shelved
        event.Retain = condition.active or not condition.acked
        if comment is not None:
            event.Comment = _text(comment)
        await condition.generator.trigger(time_attr=now, message=message)

    async def _refresh(self, object_id: ua.NodeId, *args: ua.Variant):
        """ConditionRefresh, on the conditions judged just now (a refresh right after a change already has it)."""
        await self.poll()
        return await self._server.iserver.subscription_service.condition_refresh(object_id, *args)

    def _condition(self, object_id: ua.NodeId) -> _Condition | None:
        return self._conditions.get(object_id)

    async def _acknowledge(self, object_id: ua.NodeId, event_id: ua.Variant, comment: ua.Variant):
        condition = self._condition(object_id)
        if condition is None or condition.node_id != object_id:
            return ua.StatusCode(ua.StatusCodes.BadNodeIdUnknown)
        if event_id.Value != _last_event_id(condition):
            return ua.StatusCode(ua.StatusCodes.BadEventIdUnknown)
        if condition.acked:
            return ua.StatusCode(ua.StatusCodes.BadConditionBranchAlreadyAcked)
        condition.acked = True
        await self._raise(condition, "acknowledged: " + condition.message, comment=_comment(comment))
        return []

    async def _confirm(self, object_id: ua.NodeId, event_id: ua.Variant, comment: ua.Variant):
        condition = self._condition(object_id)
        if condition is None or condition.node_id != object_id:
            return ua.StatusCode(ua.StatusCodes.BadNodeIdUnknown)
        if event_id.Value != _last_event_id(condition):
            return ua.StatusCode(ua.StatusCodes.BadEventIdUnknown)
        if condition.confirmed or not condition.acked:
            return ua.StatusCode(ua.StatusCodes.BadConditionBranchAlreadyConfirmed if condition.confirmed
                                 else ua.StatusCodes.BadInvalidState)
        condition.confirmed = True
        await self._raise(condition, "confirmed: " + condition.message, comment=_comment(comment))
        return []

    async def _timed_shelve(self, object_id: ua.NodeId, shelving_time: ua.Variant):
        condition = self._condition(object_id)
        if condition is None:
            return ua.StatusCode(ua.StatusCodes.BadNodeIdUnknown)
        if condition.shelved_until is not None:
            return ua.StatusCode(ua.StatusCodes.BadConditionAlreadyShelved)
        milliseconds = shelving_time.Value
        if not isinstance(milliseconds, (int, float)) or not 0 < milliseconds <= MAX_TIME_SHELVED_MS:
            return ua.StatusCode(ua.StatusCodes.BadShelvingTimeOutOfRange)
        condition.shelved_until = datetime.now(UTC) + timedelta(milliseconds=milliseconds)
        await self._raise(condition, "shelved: " + condition.message)
        return []

    async def _unshelve(self, object_id: ua.NodeId):
        condition = self._condition(object_id)
        if condition is None:
            return ua.StatusCode(ua.StatusCodes.BadNodeIdUnknown)
        if condition.shelved_until is None:
            return ua.StatusCode(ua.StatusCodes.BadConditionNotShelved)
        condition.shelved_until = None
        await self._raise(condition, "unshelved: " + condition.message)
        return []


def _comment(comment: ua.Variant) -> str:
    value = comment.Value
    return (value.Text or "") if isinstance(value, ua.LocalizedText) else str(value or "")


def _last_event_id(condition: _Condition) -> bytes | None:
    """The EventId of the condition's last event (the generator keeps it as a Variant)."""
    event_id = condition.event.EventId
    return event_id.Value if isinstance(event_id, ua.Variant) else event_id
