"""Answers read as people talk: tags by their words, values rounded to what they mean with their unit's symbol,
never None, True, False or a tag's raw field name; the model and the trail keep the ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.plant import Machine, Tag, load_plant, tag_words
from connectors.records import MachineQuality, QualityReport
from connectors.site import PLANTS
from tools.lines import rounded, shown
from tools.live import alarms_of, readings, state_of
from tools.machine_status import MachineStatus
from tools.quality_report import _line as quality_line
from tools.quality_report import _said as quality_said
from tools.tag_history import summarise

PLANT_LIST = [load_plant(PLANTS / name / "plant.yaml") for name in ("riverside", "dyehouse")]
MACHINES = [(plant, machine) for plant in PLANT_LIST for machine in plant.machines.values()]
RAW_WORDS = re.compile(r"\b(None|True|False|nan|inf)\b")


def field_names(machine: Machine) -> set[str]:
    """The tag names a person would not say: those made of several words joined by underscores."""
    return {name for name in machine.tags if "_" in name}


def values_for(tag: Tag) -> st.SearchStrategy:
    kind = tag.value_type
    if kind == "string":
        return st.text(max_size=30)
    if tag.enum:
        return st.sampled_from(sorted(tag.enum))
    if kind == "bool":
        return st.booleans()
    return st.one_of(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(-10**6, 10**6))


@st.composite
def a_status(draw) -> tuple[Machine, MachineStatus]:
    plant, machine = draw(st.sampled_from(MACHINES))
    raw = {name: draw(values_for(tag)) for name, tag in machine.tags.items()}
    status = MachineStatus(machine_id=machine.id, name=machine.name, kind=machine.kind, model=machine.model,
                           line_id=machine.line_id, state=state_of(machine, raw),
                           alarms=alarms_of(plant, machine, raw), tags=readings(machine, raw))
    return machine, status


@settings(max_examples=300, deadline=None)
@given(a_status())
def test_a_status_said_to_a_person_has_no_raw_words_and_no_field_names(drawn) -> None:
    machine, status = drawn
    said = status.said()
    facts = said.replace(status.machine_id, "").replace(status.name, "")  # the machine's own name is plant text
    facts = re.sub(r'"[^"]*"', '""', facts)  # so is a PLC string, quoted
    assert not RAW_WORDS.search(facts), said
    assert not any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", facts) for name in field_names(machine)), said
    for number in re.findall(r"(?<![\w.])-?\d+\.(\d+)", facts):
        assert len(number) <= 3, said  # never more decimals than mean something
    assert status.line().startswith(f"{machine.id} (")  # the model's line keeps the ids
    assert all(r.tag in status.line() for r in status.tags if r.tag not in ("state", "alarm_code"))


@pytest.mark.parametrize("value, text", [
    (179.557, "179.6"), (2.5234, "2.523"), (1447.94, "1448"), (0.04891, "0.049"), (12000.0, "12000"),
    (-5.25, "-5.25"), (0.0, "0"), (100.04, "100"), (9.9996, "10"), (51.8984, "51.9"),
])
def test_a_measured_value_is_rounded_to_the_digits_that_mean_something(value, text) -> None:
    assert rounded(value) == text


def test_values_read_with_their_units_symbol_and_switches_read_on_or_off() -> None:
    assert shown(179.557, "degC") == "179.6 °C" and shown(78.957, "m3/h") == "78.96 m³/h"
    assert shown(True) == "on" and shown(False, "") == "off" and shown(None, "bar") == "not known"
    assert shown(2400, "rpm") == "2400 rpm" and shown(float("nan"), "bar") == "nan bar"


def test_a_tag_is_said_by_its_label_or_its_words_with_abbreviations_spelled_out() -> None:
    assert tag_words("barrel_temp_setpoint") == "barrel temperature setpoint"
    assert tag_words("speed") == "speed" and tag_words("fill_volume") == "fill volume"
    tag = Tag(name="tc_1_pv", machine_id="M-1", unit="degC", label="kiln zone 1 temperature", opcua="ns=2;s=tc1",
              type="float32")
    assert tag.words == "kiln zone 1 temperature"
    assert Tag(name="tc_1_pv", machine_id="M-1", opcua="ns=2;s=tc1", type="float32").words == "tc 1 value"
    with pytest.raises(ValueError):
        Tag(name="x", machine_id="M-1", label="", opcua="ns=2;s=x", type="float32")


def test_a_trend_and_a_quality_report_said_to_a_person() -> None:
    trend = summarise("P-101", "bearing_temp", "degC", 30, [(0.0, 51.211), (600.0, 52.987), (1200.0, 54.0432)],
                      words="bearing temperature")
    said = trend.said()
    assert said == ("P-101 bearing temperature over the last 30 min: 51.21 °C → 54.04 °C (lowest 51.21 °C, "
                    "highest 54.04 °C; +8.497 °C/h)")
    assert "bearing_temp" not in said and "bearing_temp" in trend.line()
    report = QualityReport(since_minutes=60, machines=[MachineQuality(
        machine_id="P-101", line_id="L1", defect_rate=None, good_count=None, reject_count=None, good_in_window=None,
        rejects_in_window=None, inspections=[])])
    assert quality_line(report) == "quality: P-101: no defect rate"


def test_a_lines_quality_is_said_from_the_highest_defect_rate_down() -> None:
    def machine(machine_id: str, rate: float | None) -> MachineQuality:
        return MachineQuality(machine_id=machine_id, line_id="L2", defect_rate=rate, good_count=100, reject_count=3,
                              good_in_window=None, rejects_in_window=None, inspections=[])

    report = QualityReport(since_minutes=60, machines=[machine("OV-201", 0.4891), machine("FL-202", None),
                                                       machine("CV-203", 2.5234)])
    said = quality_said(report)
    assert said.startswith("quality: highest defect rate: CV-203 (2.523 %); CV-203: defect rate 2.523 %")
    assert said.index("OV-201") < said.index("FL-202: no defect rate")
    one = QualityReport(since_minutes=60, machines=[machine("OV-201", 0.4891)])
    assert quality_said(one) == "quality: OV-201: defect rate 0.489 %, 100 good, 3 rejected"


def test_plant_text_cannot_close_its_quotes() -> None:
    from tools.lines import quoted

    assert quoted('x" is done. None') == "\"x' is done. None\""
