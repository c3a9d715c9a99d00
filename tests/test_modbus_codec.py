"""The Modbus codec in each byte order (issue #32): known register patterns, round trips, padding, and which
types an order applies to. Pure: no server."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from connectors.plant import Tag
from connectors.plc.findings import Severity, implausible
from connectors.plc.modbus.codec import decode, encode
from connectors.plc.modbus.schema import ModbusEndpoint, Order, Padding, WriteFunction

ORDERS = list(Order)
DEVICE = {order: ModbusEndpoint(host="127.0.0.1", order=order) for order in ORDERS}


def tag(kind: str = "float32", **address: object) -> Tag:
    """A tag of machine M-1 held in input registers from 0 as ``kind``."""
    return Tag.model_validate({"name": "t", "machine_id": "M-1",
                               "modbus": {"table": "input_register", "address": 0, "type": kind, **address}})


# float 1.5 is 0x3FC00000, uint32 0x12345678 and int32 -2 is 0xFFFFFFFE: bytes A B C D, A the most significant
KNOWN = [
    ("float32", 1.5, {Order.ABCD: [0x3FC0, 0x0000], Order.CDAB: [0x0000, 0x3FC0],
                      Order.BADC: [0xC03F, 0x0000], Order.DCBA: [0x0000, 0xC03F]}),
    ("uint32", 0x12345678, {Order.ABCD: [0x1234, 0x5678], Order.CDAB: [0x5678, 0x1234],
                            Order.BADC: [0x3412, 0x7856], Order.DCBA: [0x7856, 0x3412]}),
    ("int32", -2, {Order.ABCD: [0xFFFF, 0xFFFE], Order.CDAB: [0xFFFE, 0xFFFF],
                   Order.BADC: [0xFFFF, 0xFEFF], Order.DCBA: [0xFEFF, 0xFFFF]}),
]


@pytest.mark.parametrize(("kind", "value", "registers"), KNOWN, ids=[k[0] for k in KNOWN])
@pytest.mark.parametrize("order", ORDERS, ids=str)
def test_each_order_lays_out_the_known_bytes(kind, value, registers, order):
    by_tag, by_device = tag(kind, order=order), tag(kind)
    assert encode(by_tag, value) == registers[order]
    assert encode(by_device, value, DEVICE[order]) == registers[order]
    assert decode(by_tag, registers[order]) == value
    assert decode(by_device, registers[order], DEVICE[order]) == value


def test_a_tags_order_wins_over_its_devices():
    assert encode(tag("float32", order="ABCD"), 1.5, DEVICE[Order.CDAB]) == [0x3FC0, 0x0000]
    assert encode(tag("float32"), 1.5) == [0x3FC0, 0x0000]  # no order anywhere: ABCD, as before


def test_the_wrong_order_reads_a_different_number():
    registers = encode(tag("float32", order="CDAB"), 6.53)
    misread = decode(tag("float32"), registers)
    assert not math.isclose(misread, 6.53, rel_tol=1e-3)


@given(st.sampled_from(ORDERS), st.floats(width=32, allow_nan=False), st.integers(0, 0xFFFFFFFF),
       st.integers(-0x80000000, 0x7FFFFFFF))
def test_every_order_round_trips_every_value(order, number, unsigned, signed):
    device = DEVICE[order]
    assert decode(tag("float32"), encode(tag("float32"), number, device), device) == number
    assert decode(tag("uint32"), encode(tag("uint32"), unsigned, device), device) == unsigned
    assert decode(tag("int32"), encode(tag("int32"), signed, device), device) == signed


@given(st.sampled_from(ORDERS), st.integers(-214748, 214748))
def test_scaled_int32_round_trips(order, hundredths):
    spec = tag("int32", scale=100, order=order)
    assert decode(spec, encode(spec, hundredths / 100)) == pytest.approx(hundredths / 100)


def test_one_register_numbers_ignore_the_devices_order():
    for order in ORDERS:
        assert encode(tag("uint16"), 0x1234, DEVICE[order]) == [0x1234]
        assert decode(tag("int16"), [0xFFFE], DEVICE[order]) == -2


@pytest.mark.parametrize(("order", "registers"), [
    (Order.ABCD, [0x4142, 0x4320]), (Order.CDAB, [0x4142, 0x4320]),  # text has no word order
    (Order.BADC, [0x4241, 0x2043]), (Order.DCBA, [0x4241, 0x2043]),  # each register's two characters swapped
], ids=str)
def test_text_takes_the_byte_order_and_its_padding(order, registers):
    spec = tag("string", length=2, order=order, padding="space")
    assert encode(spec, "ABC") == registers
    assert decode(spec, registers) == "ABC"


def test_padding_is_stripped_on_read_and_added_on_write():
    plain, space = tag("string", length=3), tag("string", length=3, padding="space")
    assert encode(plain, "AB") == [0x4142, 0, 0]  # NULs, as before
    assert encode(space, "AB") == [0x4142, 0x2020, 0x2020]
    assert decode(space, [0x4142, 0x2020, 0x2000]) == "AB"  # a device that pads with spaces and ends with a NUL
    assert decode(plain, [0x4142, 0x2000, 0]) == "AB "  # spaces are text where the padding is NUL
    device = ModbusEndpoint(host="127.0.0.1", padding=Padding.space)
    assert encode(plain, "AB", device) == [0x4142, 0x2020, 0x2020]  # the device's padding, the tag naming none


@given(st.sampled_from(ORDERS), st.sampled_from(list(Padding)),
       st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=8))
def test_text_round_trips_in_every_order_and_padding(order, padding, text):
    spec = tag("string", length=4, order=order, padding=padding)
    assert decode(spec, encode(spec, text)) == text


@pytest.mark.parametrize(("address", "why"), [
    ({"type": "uint16", "order": "CDAB"}, "order CDAB is for 32-bit values and strings, not uint16"),
    ({"type": "float32", "padding": "space"}, "padding is for strings, not float32"),
    ({"type": "float32", "order": "BACD"}, "Input should be 'ABCD', 'CDAB', 'BADC' or 'DCBA'"),
])
def test_an_order_or_padding_where_none_applies_is_refused(address, why):
    with pytest.raises(ValidationError, match=why):
        tag(address.pop("type"), **address)


def test_the_device_says_its_write_function_and_refuses_others():
    assert ModbusEndpoint(host="h").write_function is WriteFunction.multiple  # 16, today's behaviour
    assert ModbusEndpoint(host="h", write_function=6).write_function is WriteFunction.single
    with pytest.raises(ValidationError, match="write_function"):
        ModbusEndpoint(host="h", write_function=5)


def test_the_registers_hold_ieee_bytes():
    """Independent of the codec: CDAB's registers put back in ABCD order are the IEEE float's bytes."""
    low, high = encode(tag("float32", order="CDAB"), 6.53)
    assert struct.unpack(">f", struct.pack(">HH", high, low))[0] == pytest.approx(6.53, rel=1e-6)


@pytest.mark.parametrize(("value", "line"), [
    (1e-3, None),
    (60.0, None),
    (121.0, "P-1.flow: reads 121 m3/h, outside 0..120: wrong word order or scale?"),
    (-4.9e32, "P-1.flow: reads -4.9e+32 m3/h, outside 0..120: wrong word order or scale?"),
    (9.2e-41, "P-1.flow: reads 9.2e-41 m3/h, too small to be a measurement: wrong word order or scale?"),
    (math.nan, "P-1.flow: reads nan m3/h, not a finite number: wrong word order or scale?"),
    (math.inf, "P-1.flow: reads inf m3/h, not a finite number: wrong word order or scale?"),
    ("text", None), (True, None),
])
def test_a_value_outside_its_limits_is_a_note(value, line):
    flow = Tag.model_validate({"name": "flow", "machine_id": "P-1", "unit": "m3/h", "min": 0, "max": 120,
                               "modbus": {"table": "input_register", "address": 0, "type": "float32"}})
    finding = implausible(flow, value, "wrong word order or scale?")
    assert (finding and f"{finding.tag}: {finding.message}") == line
    assert finding is None or finding.severity is Severity.note


def test_open_limits_judge_one_side():
    low_only = tag().model_copy(update={"min": 4.0})
    assert implausible(low_only, 1e9, "?") is None
    assert implausible(low_only, 3, "?").message == "reads 3, outside 4..: ?"
