"""What a Sparkplug B host knows of one edge node from its messages: births, data, deaths.

A birth (NBIRTH, DBIRTH) names every metric with its alias and datatype; data (NDATA, DDATA) updates them by
alias (or name); a death (NDEATH, by the broker as the node's will, or DDEATH) makes every value of the node
or device stale until the next birth. An NDEATH whose bdSeq is not that of the current birth is an earlier
session's will and changes nothing. Pure data, no I/O: the MQTT connector feeds it the messages it receives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from connectors.plc.sparkplug.payload import (
    BDSEQ,
    DataType,
    MessageType,
    Metric,
    Payload,
    SparkplugError,
    Topic,
    Value,
    datatype_named,
    value_of,
)


@dataclass
class KnownMetric:
    """A metric as last heard of: its name, alias, datatype, value and when it was measured."""

    name: str
    alias: int | None
    datatype: DataType
    value: Value | None
    timestamp: float
    """When the value was measured, in seconds since the epoch (the metric's own timestamp, else the message's)."""
    updates: int = 0
    """How many data messages carried it since its birth: a command is confirmed by the next one."""


def _seconds(ms: int) -> float:
    return ms / 1000 if ms else time.time()


@dataclass
class MetricSet:
    """The metrics of a node or a device, by name and by alias, as its last birth declared them."""

    by_name: dict[str, KnownMetric] = field(default_factory=dict)
    by_alias: dict[int, KnownMetric] = field(default_factory=dict)

    @classmethod
    def born(cls, payload: Payload, where: str) -> MetricSet:
        known = cls()
        for m in payload.metrics:
            if not m.name:
                raise SparkplugError(f"{where}: a birth metric without a name")
            datatype = datatype_named(m.datatype, f"{where} metric {m.name!r}")
            entry = KnownMetric(m.name, m.alias if m.HasField("alias") else None, datatype,
                                value_of(m, datatype), _seconds(m.timestamp or payload.timestamp))
            known.by_name[m.name] = entry
            if entry.alias is not None:
                known.by_alias[entry.alias] = entry
        return known

    def find(self, m: Metric) -> KnownMetric | None:
        if m.HasField("alias") and m.alias in self.by_alias:
            return self.by_alias[m.alias]
        return self.by_name.get(m.name) if m.name else None

    def update(self, payload: Payload) -> None:
        """Data: each metric the birth named takes its new value; one it did not name is ignored."""
        for m in payload.metrics:
            known = self.find(m)
            if known is None or m.is_historical:
                continue
            known.value = value_of(m, known.datatype)
            known.timestamp = _seconds(m.timestamp or payload.timestamp)
            known.updates += 1


@dataclass
class DeviceState:
    """What an edge node's device last said: its metrics, and whether it is alive (and since when)."""

    metrics: MetricSet
    alive: bool = True
    since: float = field(default_factory=time.time)
    """When it was born, or died."""


@dataclass
class EdgeNodeState:
    """What one edge node last said: its birth and death, its metrics, and its devices by id."""

    group: str
    edge_node: str
    born: bool = False
    alive: bool = False
    bd_seq: int | None = None
    since: float | None = None
    """When the node was born, or died."""
    metrics: MetricSet = field(default_factory=MetricSet)
    devices: dict[str, DeviceState] = field(default_factory=dict)

    def apply(self, topic: Topic, payload: Payload) -> None:
        """One message of this edge node (SparkplugError when it is malformed)."""
        where = str(topic)
        match topic.type:
            case MessageType.NBIRTH:
                self.metrics = MetricSet.born(payload, where)
                bd_seq = self.metrics.by_name.get(BDSEQ)
                self.bd_seq = int(bd_seq.value) if bd_seq is not None and bd_seq.value is not None else None
                self.born, self.alive, self.since = True, True, time.time()
                self.devices = {}  # a new session: every device is born again after it
            case MessageType.NDEATH:
                bd_seq = next((m for m in payload.metrics if m.name == BDSEQ), None)
                said = (int(value_of(bd_seq, datatype_named(bd_seq.datatype, where)) or 0)
                        if bd_seq is not None else None)
                if self.bd_seq is not None and said is not None and said != self.bd_seq:
                    return  # the will of an earlier session, delivered late
                self.alive, self.since = False, time.time()
                for device in self.devices.values():
                    device.alive = False
            case MessageType.DBIRTH if topic.device:
                self.devices[topic.device] = DeviceState(MetricSet.born(payload, where))
            case MessageType.DDEATH if topic.device:  # also of a device not born since this host listens
                device = self.devices.setdefault(topic.device, DeviceState(MetricSet()))
                device.alive, device.since = False, time.time()
            case MessageType.NDATA:
                self.metrics.update(payload)
            case MessageType.DDATA if topic.device in self.devices:
                self.devices[topic.device].metrics.update(payload)
