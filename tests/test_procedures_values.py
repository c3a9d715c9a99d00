"""The values a request sets, and whether a setpoint of the machine it names can take them, read by code."""

from __future__ import annotations

import pytest

from connectors.plant import load_plant
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.procedures.values import counted_only, fits_a_setpoint, values_set

PLANT = ConnectorSettings().load_plant()
DYEHOUSE = load_plant(PLANTS / "dyehouse" / "plant.yaml")


@pytest.mark.parametrize(("lang", "text", "sets"), [
    ("en", "oven to 185, I approve it myself", True),
    ("en", "knock the pump back 10 %", True),
    ("en", "pump vibration has crept up to 7 mm/s, have a look", False),  # a reading's unit, no setpoint's
    ("en", "show me the alarms on line 2", False),
    ("en", "trend the oven temperature over the last 8 hours", False),
    ("de", "den Ofen um 5 Grad runter", True),
])
def test_a_value_is_set_in_no_unit_or_one_a_setpoint_takes(lang: str, text: str, sets: bool) -> None:
    assert bool(values_set(text, lang, PLANT)) is sets


@pytest.mark.parametrize(("text", "fits"), [
    ("take the oven down 5", True),
    ("oven to 185", True),
    ("oven up to 250", False),  # beyond its setpoint's limits: no setpoint of the oven's
    ("put the blue job on the moulder up to 9000", False),
    ("cut the blue UV job to 600", False),  # names no machine
    ("pump speed to 2400 rpm", True),
])
def test_a_value_fits_a_setpoint_of_the_machine_named_within_its_limits(text: str, fits: bool) -> None:
    assert fits_a_setpoint(text, "en", PLANT) is fits


@pytest.mark.parametrize(("dyehouse", "text", "counted"), [
    (True, "take the navy on the jet down to 7.2 tonnes", True),  # the dye line counts in kg
    (True, "raise the finishing order to 32 thousand metres", True),  # the finishing line in m
    (True, "jet temperature down to 58 degrees", False),  # a setpoint's unit
    (True, "put the navy up to 8500", False),  # no unit: anyone's
    (False, "cut the moulder's blue job to 600 pieces", True),
    (False, "pump vibration up to 7 mm/s", False),  # a reading's unit, no counter's
])
def test_a_value_in_a_unit_only_the_plants_counters_take_is_counted(dyehouse: bool, text: str, counted: bool) -> None:
    assert counted_only(text, "en", DYEHOUSE if dyehouse else PLANT) is counted
