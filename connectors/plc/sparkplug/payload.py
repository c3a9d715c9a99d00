"""Sparkplug B: topics, payloads and metric values, shared by the MQTT connector and the simulator's edge node.

The messages are ``sparkplug_b_pb2`` (compiled from ``sparkplug_b.proto`` here, wire-compatible with the
specification's schema). A metric carries a tag's engineering value in the datatype ``datatype_of`` gives it,
the way the simulator's OPC UA server carries it: a scaled integer register as a Double.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from google.protobuf.message import DecodeError

from connectors.plant import Tag
from connectors.plc.sparkplug import sparkplug_b_pb2 as pb

NAMESPACE = "spBv1.0"
BDSEQ = "bdSeq"
"""The node metric that numbers an edge node's MQTT sessions: its NBIRTH and its will (NDEATH) carry the same."""
REBIRTH = "Node Control/Rebirth"
"""The node metric a host writes (NCMD, true) to have the edge node publish its births again."""

Payload = pb.Payload
Metric = pb.Payload.Metric
Value = float | int | bool | str


class MessageType(StrEnum):
    """A Sparkplug B message type, as it appears in a topic."""

    NBIRTH = "NBIRTH"
    NDEATH = "NDEATH"
    DBIRTH = "DBIRTH"
    DDEATH = "DDEATH"
    NDATA = "NDATA"
    DDATA = "DDATA"
    NCMD = "NCMD"
    DCMD = "DCMD"


class DataType(IntEnum):
    """Sparkplug B's datatypes this copilot reads and writes (the numbers are the specification's)."""

    Int8 = pb.Int8
    Int16 = pb.Int16
    Int32 = pb.Int32
    Int64 = pb.Int64
    UInt8 = pb.UInt8
    UInt16 = pb.UInt16
    UInt32 = pb.UInt32
    UInt64 = pb.UInt64
    Float = pb.Float
    Double = pb.Double
    Boolean = pb.Boolean
    String = pb.String
    DateTime = pb.DateTime
    Text = pb.Text


class SparkplugError(ValueError):
    """A topic or payload that is not Sparkplug B as this copilot reads it; the message says what is wrong."""


_SIGNED_BITS = {DataType.Int8: 8, DataType.Int16: 16, DataType.Int32: 32, DataType.Int64: 64}
_INT_FIELD = (DataType.Int8, DataType.Int16, DataType.Int32, DataType.UInt8, DataType.UInt16, DataType.UInt32)
_LONG_FIELD = (DataType.Int64, DataType.UInt64, DataType.DateTime)
_RANGE = {DataType.Int8: (-(1 << 7), (1 << 7) - 1), DataType.Int16: (-(1 << 15), (1 << 15) - 1),
          DataType.Int32: (-(1 << 31), (1 << 31) - 1), DataType.Int64: (-(1 << 63), (1 << 63) - 1),
          DataType.UInt8: (0, (1 << 8) - 1), DataType.UInt16: (0, (1 << 16) - 1), DataType.UInt32: (0, (1 << 32) - 1),
          DataType.UInt64: (0, (1 << 64) - 1), DataType.DateTime: (0, (1 << 64) - 1)}
_OF_VALUE_TYPE = {"bool": DataType.Boolean, "uint16": DataType.UInt16, "int16": DataType.Int16,
                  "uint32": DataType.UInt32, "int32": DataType.Int32, "float32": DataType.Float,
                  "float64": DataType.Double, "string": DataType.String}


@dataclass(frozen=True)
class Topic:
    """``spBv1.0/<group>/<type>/<edge node>[/<device>]``."""

    group: str
    type: MessageType
    edge_node: str
    device: str | None = None

    def __str__(self) -> str:
        parts = [NAMESPACE, self.group, self.type.value, self.edge_node] + ([self.device] if self.device else [])
        return "/".join(parts)

    @classmethod
    def parse(cls, topic: str) -> Topic:
        parts = topic.split("/")
        if len(parts) not in (4, 5) or parts[0] != NAMESPACE:
            raise SparkplugError(f"{topic!r} is not a Sparkplug B topic ({NAMESPACE}/GROUP/TYPE/EDGE_NODE[/DEVICE])")
        try:
            kind = MessageType(parts[2])
        except ValueError:
            raise SparkplugError(f"{topic!r}: unknown message type {parts[2]!r}") from None
        return cls(parts[1], kind, parts[3], parts[4] if len(parts) == 5 else None)


def datatype_of(tag: Tag) -> DataType:
    """The datatype of the tag's metric: its engineering value's (a scaled integer register's is a Double)."""
    register = tag.address("modbus")
    if register is not None and register.type in ("uint16", "int16", "uint32") and register.scale != 1:
        return DataType.Double
    return _OF_VALUE_TYPE[tag.value_type]


def metric_name(tag: Tag) -> str:
    """The tag's metric: its ``mqtt`` name in the plant file, else the tag's own name."""
    return tag.address("mqtt") or tag.name


def now_ms() -> int:
    """The time now in milliseconds since the epoch, as Sparkplug timestamps are."""
    return int(time.time() * 1000)


def set_value(metric: Metric, datatype: DataType, value: Value) -> None:
    """Put ``value`` into the metric's field for ``datatype`` (signed integers as two's complement)."""
    metric.datatype = datatype
    if datatype is DataType.Boolean:
        metric.boolean_value = bool(value)
    elif datatype in (DataType.String, DataType.Text):
        metric.string_value = str(value)
    elif datatype is DataType.Float:
        metric.float_value = float(value)
    elif datatype is DataType.Double:
        metric.double_value = float(value)
    elif datatype in _RANGE:
        number = float(value)
        if not math.isfinite(number) or number != round(number):
            raise SparkplugError(f"metric {metric.name or metric.alias}: {datatype.name} takes an integer, "
                                 f"not {value!r}")
        low, high = _RANGE[datatype]
        if not low <= int(number) <= high:
            raise SparkplugError(f"metric {metric.name or metric.alias}: {int(number)} does not fit {datatype.name}")
        if datatype in _LONG_FIELD:
            metric.long_value = int(number) % (1 << 64)
        else:
            metric.int_value = int(number) % (1 << 32)
    else:
        raise SparkplugError(f"metric {metric.name or metric.alias}: datatype {datatype!r} is not supported")


def value_of(metric: Metric, datatype: DataType) -> Value | None:
    """The metric's value read as ``datatype`` (its birth's, when a data message carries only the alias); None
    when it says it is null."""
    if metric.is_null:
        return None
    field = metric.WhichOneof("value")
    if datatype is DataType.Boolean and field == "boolean_value":
        return metric.boolean_value
    if datatype in (DataType.String, DataType.Text) and field == "string_value":
        return metric.string_value
    if datatype is DataType.Float and field == "float_value":
        return metric.float_value
    if datatype is DataType.Double and field == "double_value":
        return metric.double_value
    if datatype in _INT_FIELD and field == "int_value":
        raw, bits = metric.int_value, _SIGNED_BITS.get(datatype)
        return raw - (1 << 32) if bits and raw >= 1 << 31 else raw  # Int8/16 were sign-extended to 32 bits
    if datatype in _LONG_FIELD and field == "long_value":
        raw = metric.long_value
        return raw - (1 << 64) if datatype is DataType.Int64 and raw >= 1 << 63 else raw
    raise SparkplugError(f"metric {metric.name or metric.alias}: a {datatype.name} metric with "
                         f"{field or 'no value'}")


def datatype_named(code: int, where: str) -> DataType:
    """The DataType of Sparkplug code ``code``, or SparkplugError naming ``where`` when the copilot does not read it."""
    try:
        return DataType(code)
    except ValueError:
        raise SparkplugError(f"{where}: datatype {code} is not one this copilot reads") from None


def metric(name: str | None, datatype: DataType, value: Value, *, alias: int | None = None,
           timestamp: int | None = None) -> Metric:
    """One metric with its value (and name on a birth, alias when the birth gave one)."""
    m = Metric()
    if name is not None:
        m.name = name
    if alias is not None:
        m.alias = alias
    m.timestamp = timestamp if timestamp is not None else now_ms()
    set_value(m, datatype, value)
    return m


def payload(metrics: list[Metric], seq: int | None) -> bytes:
    """A payload with the send time and the edge node's sequence number (NDEATH has none)."""
    p = Payload(timestamp=now_ms())
    if seq is not None:
        p.seq = seq
    p.metrics.extend(metrics)
    return p.SerializeToString()


def parse_payload(data: bytes, topic: str) -> Payload:
    """The Sparkplug B payload in ``data``, or SparkplugError naming ``topic`` when it is not one."""
    try:
        return Payload.FromString(data)
    except DecodeError as exc:
        raise SparkplugError(f"{topic}: not a Sparkplug B payload ({exc})") from None
