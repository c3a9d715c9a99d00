"""The PLC connector over both protocols against the running simulator: reads, guarded writes, faults."""

from __future__ import annotations

import pytest
from agent_helpers import SimControl
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import InvalidRequest, NotFound, Rejected, Unreachable
from connectors.plant import load_plant
from connectors.plc import open_plc
from connectors.plc.modbus.codec import decode, encode
from connectors.site import DEMO_SITE
from simulator.process import free_ports

PLANT = load_plant(DEMO_SITE / "plant.yaml")
PROTOCOLS = ["modbus", "opcua"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_both_protocols_read_the_same_plant(sim, protocol):
    async with open_plc(sim, PLANT, "modbus") as modbus, open_plc(sim, PLANT, protocol) as other:
        a, b = await modbus.read_many("FL-202"), await other.read_many("FL-202")
    assert set(a) == set(PLANT.machine("FL-202").tags)
    for name in ("fill_setpoint", "speed_setpoint", "run", "good_count", "state"):
        assert a[name].value == b[name].value
    assert a["fill_setpoint"].unit == "ml"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_write_inside_limits_lands_and_is_seen_by_the_other_protocol(sim, protocol):
    other = "opcua" if protocol == "modbus" else "modbus"
    async with open_plc(sim, PLANT, protocol) as plc, open_plc(sim, PLANT, other) as reader:
        result = await plc.write("HP-102", "pressure_setpoint", 170)
        assert (result.old_value, result.new_value) == (160, 170)
        assert (await reader.read("HP-102", "pressure_setpoint")).value == 170
        await plc.write("CV-203", "run", 0)
        assert (await reader.read("CV-203", "run")).value is False


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("tag", "value", "why"),
    [
        ("pressure_setpoint", 230, "outside its limits 80..210"),
        ("pressure_setpoint", 190, "more than the maximum 20 per write"),
        ("hydraulic_pressure", 100, "allow-list"),
    ],
)
async def test_a_refused_write_leaves_the_plc_value_unchanged(sim, protocol, tag, value, why):
    async with open_plc(sim, PLANT, protocol) as plc:
        before = (await plc.read("HP-102", tag)).value
        with pytest.raises(Rejected, match=why):
            await plc.write("HP-102", tag, value)
        after = (await plc.read("HP-102", tag)).value
    assert after == before or tag == "hydraulic_pressure"  # a measured value moves on its own, a setpoint not
    if tag == "pressure_setpoint":
        assert after == 160


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_offline_plc_is_unreachable_until_the_fault_clears(sim, protocol):
    control = SimControl(sim)
    control.fault("plc_offline", machine_id="IM-103")
    async with open_plc(sim, PLANT, protocol) as plc:
        with pytest.raises(Unreachable, match="does not answer"):
            await plc.read_many("IM-103")
        with pytest.raises(Unreachable):
            await plc.write("IM-103", "barrel_temp_setpoint", 235)
        assert (await plc.read("P-101", "state")).value == 1  # the other PLCs still answer
        control.clear()
        assert (await plc.read("IM-103", "barrel_temp_setpoint")).value == 230
    control.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_nothing_listening_is_unreachable(sim, protocol):
    dead = sim.model_copy(update={"modbus_port": free_ports(1)[0], "opcua_port": free_ports(1)[0],
                                  "connect_timeout_s": 2.0})
    async with open_plc(dead, PLANT, protocol) as plc:
        with pytest.raises(Unreachable):
            await plc.read("P-101", "vibration")


async def test_unknown_machine_and_tag(sim):
    async with open_plc(sim, PLANT, "modbus") as plc:
        with pytest.raises(NotFound, match="unknown machine 'XX-1'"):
            await plc.read("XX-1", "state")
        with pytest.raises(NotFound, match="has no tag 'colour'"):
            await plc.read("P-101", "colour")
        with pytest.raises(InvalidRequest):
            await plc.write("P-101", "speed_setpoint", "fast")


@given(st.sampled_from([t for t in PLANT.all_tags() if t.modbus.type != "string"]), st.floats(0, 1))
def test_codec_round_trips_numbers_within_limits(tag, share):
    low, high = tag.min if tag.min is not None else 0, tag.max if tag.max is not None else 1000
    value = low + (high - low) * share
    if tag.modbus.type == "bool":
        value = share > 0.5
    elif tag.modbus.type != "float32":
        value = round(value * tag.modbus.scale) / tag.modbus.scale
    decoded = decode(tag, encode(tag, value))
    assert decoded == pytest.approx(value, rel=1e-6, abs=1e-6)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=32))
def test_codec_round_trips_text(text):
    tag = PLANT.tag("P-101", "operator_note")
    assert decode(tag, encode(tag, text)) == text.rstrip("\0")
