"""The dyehouse's physics, in process: the jet dyer, the padder and the stenter respond as their manuals say."""

from __future__ import annotations

import pytest

from connectors.errors import InvalidRequest
from connectors.plant import load_plant
from connectors.site import PLANTS
from simulator.faults import Fault, FaultBoard, FaultKind
from simulator.machines import MODELS, model_for
from simulator.machines.base import Conditions
from simulator.physics import BAD_LOTS, FAULTED, JAM_ALARM, PlantSimulation

DYEHOUSE = load_plant(PLANTS / "dyehouse" / "plant.yaml")


@pytest.fixture
def sim() -> PlantSimulation:
    return PlantSimulation(DYEHOUSE, FaultBoard(), 0)


def test_every_machine_kind_of_the_dyehouse_has_physics():
    assert {m.kind for m in DYEHOUSE.machines.values()} <= set(MODELS)
    for machine in DYEHOUSE.machines.values():
        model = model_for(machine.kind)
        assert set(model.noise) <= set(machine.tags), machine.id
        assert set(model.setpoints) == {t.name for t in machine.setpoints}, machine.id


def test_the_dyehouse_starts_running_healthy_with_its_colourway_and_lots(sim):
    snap = sim.snapshot()
    assert set(snap) == set(DYEHOUSE.machines)
    for machine_id, values in snap.items():
        assert values["state"] == 1 and values["run"] is True and values["alarm_code"] == 0, machine_id
        for name, tag in DYEHOUSE.machine(machine_id).tags.items():
            if tag.alarm_high is not None:
                assert values[name] <= tag.alarm_high, f"{machine_id}.{name} starts in alarm"
            if tag.alarm_low is not None:
                assert values[name] >= tag.alarm_low, f"{machine_id}.{name} starts in alarm"
            if tag.writable and tag.modbus.type != "bool":
                assert tag.min <= values[name] <= tag.max, f"{machine_id}.{name}"
    assert snap["JD-102"]["colourway"] == "TW-240-NAVY" and snap["JD-102"]["material_lot"] not in BAD_LOTS
    assert snap["PD-201"]["finish_recipe"] == "FIN-SOFT-02"
    assert snap["JD-102"]["liquor_level"] == pytest.approx(6.0 * 400, abs=20)
    assert snap["ST-202"]["dwell_time"] == pytest.approx(24.0 * 60 / 30)


def test_the_liquor_heats_at_the_heating_rate_and_the_shade_drifts_off_the_recipe(sim):
    sim.write("JD-102", "temp_setpoint", 70)
    sim.tick(120)
    after_two_minutes = sim.read("JD-102", "liquor_temp")
    assert 61.0 < after_two_minutes < 60.0 + 2 * 2.0 + 0.6  # 2 degC/min at most
    sim.tick(900)
    assert sim.read("JD-102", "liquor_temp") == pytest.approx(70, abs=0.8)
    sim.tick(1800)
    assert sim.read("JD-102", "shade_deviation") > 1.0
    assert sim.read("JD-102", "alarm_code") == 703  # shade deviation above tolerance
    assert sim.read("JD-102", "defect_rate") > 3.0


def test_a_faster_heating_rate_gets_there_sooner():
    slow, fast = (PlantSimulation(DYEHOUSE, FaultBoard(), 0) for _ in range(2))
    slow.write("JD-102", "heating_rate_setpoint", 1.0)
    fast.write("JD-102", "heating_rate_setpoint", 4.0)
    for sim in (slow, fast):
        sim.write("JD-102", "temp_setpoint", 70)
        sim.tick(180)
    assert fast.read("JD-102", "liquor_temp") > slow.read("JD-102", "liquor_temp") + 3.0


def test_ph_and_liquor_ratio_follow_their_setpoints(sim):
    sim.write("JD-102", "ph_setpoint", 10.3)
    sim.write("JD-102", "liquor_ratio_setpoint", 7.0)
    sim.tick(900)
    assert sim.read("JD-102", "ph") == pytest.approx(10.3, abs=0.05)
    assert sim.read("JD-102", "liquor_level") == pytest.approx(2800, abs=20)
    sim.tick(3600)
    assert sim.read("JD-102", "shade_deviation") > 0.5  # pH 0.5 off the recipe's 10.8


def test_a_drifting_temperature_controller_raises_the_liquor_deviation_alarm(sim):
    sim.inject_fault(Fault(kind=FaultKind.temp_controller_drift, machine_id="JD-102", severity=1.0))
    sim.tick(1200)
    assert sim.read("JD-102", "liquor_temp") > 80.0  # 25 degC above its setpoint at full severity
    assert sim.read("JD-102", "temp_setpoint") == 60.0
    assert sim.read("JD-102", "alarm_code") == 701


def test_a_drifting_ph_electrode_misreads_and_alarms_while_the_liquor_is_unchanged(sim):
    fault = sim.inject_fault(Fault(kind=FaultKind.sensor_drift, machine_id="JD-102", severity=1.0))
    assert fault.tag == "ph"
    sim.tick(900)
    assert sim.read("JD-102", "ph") > 10.8 + 1.0  # 10 % of the 0..14 range
    assert sim.read("JD-102", "alarm_code") == 702
    assert sim.read("JD-102", "shade_deviation") < 0.5  # the true pH is still the recipe's


def test_an_off_spec_dye_lot_puts_the_batch_off_shade(sim):
    sim.set_text("JD-102", "material_lot", "LOT-26-0318")
    sim.tick(3600)
    assert sim.read("JD-102", "shade_deviation") > 1.0
    assert sim.read("JD-102", "defect_rate") > 3.0


def test_a_tangled_rope_stops_the_dyer_and_raises_the_jam_alarm(sim):
    before = sim.read("JD-102", "good_count")
    sim.inject_fault(Fault(kind=FaultKind.jam, machine_id="JD-102"))
    sim.tick(600)
    snap = sim.snapshot()["JD-102"]
    assert snap["state"] == FAULTED and snap["jam_detected"] is True and snap["alarm_code"] == JAM_ALARM
    assert snap["fabric_speed"] < 1.0 and snap["good_count"] == before


def test_more_nip_pressure_squeezes_out_more_liquor(sim):
    start = sim.read("PD-201", "pick_up")
    sim.write("PD-201", "nip_pressure_setpoint", 3.5)
    sim.tick(120)
    assert sim.read("PD-201", "nip_pressure") == pytest.approx(3.5, abs=0.1)
    assert sim.read("PD-201", "pick_up") == pytest.approx(start - 5.0, abs=0.8)
    sim.write("PD-201", "nip_pressure_setpoint", 1.5)
    sim.tick(600)
    assert sim.read("PD-201", "pick_up") > 75.0  # too wet for the 62..68 % window
    assert sim.read("PD-201", "defect_rate") > 3.0


def test_the_padder_has_no_temperature_controller_to_drift(sim):
    with pytest.raises(InvalidRequest, match="PD-201 has no temperature controller; machines with one: JD-102, ST-202"):
        sim.inject_fault(Fault(kind=FaultKind.temp_controller_drift, machine_id="PD-201"))


@pytest.mark.parametrize("machine_id", ["PD-201", "ST-202", "JD-102"])
def test_bearing_wear_raises_the_vibration_alarm(sim, machine_id):
    sim.inject_fault(Fault(kind=FaultKind.bearing_wear, machine_id=machine_id, severity=1.0))
    sim.tick(1200)
    assert sim.read(machine_id, "vibration") > 7.1
    assert sim.read(machine_id, "alarm_code") == 101


def test_a_faster_stenter_dwells_less_and_leaves_the_fabric_wetter(sim):
    sim.write("ST-202", "speed_setpoint", 40)
    sim.tick(300)
    assert sim.read("ST-202", "dwell_time") == pytest.approx(36.0, abs=0.5)
    assert sim.read("ST-202", "residual_moisture") > 10.0
    assert sim.read("ST-202", "alarm_code") == 742
    sim.write("ST-202", "temp_setpoint", 190)  # hotter chambers dry it again
    sim.tick(1800)
    assert 6.0 < sim.read("ST-202", "residual_moisture") < 10.0


def test_overfeed_narrows_the_fabric_and_the_stenter_counts_metres(sim):
    good = sim.read("ST-202", "good_count")
    sim.write("ST-202", "overfeed_setpoint", 8.0)
    sim.tick(600)
    assert sim.read("ST-202", "fabric_width") == pytest.approx(160.0 - 0.4 * 4.0, abs=0.4)
    assert sim.read("ST-202", "good_count") - good == pytest.approx(30 * 10, rel=0.03)  # 30 m/min for 10 minutes


def test_a_stopped_stenter_cools_and_a_restart_makes_rejects_not_negative_goods(sim):
    sim.write("ST-202", "run", False)
    sim.tick(3600)
    assert sim.read("ST-202", "chamber_temp") < 100.0
    good, reject = sim.read("ST-202", "good_count"), sim.read("ST-202", "reject_count")
    sim.write("ST-202", "run", True)
    sim.tick(300)
    assert sim.read("ST-202", "good_count") >= good  # a cold start is scrap, never a negative output
    assert sim.read("ST-202", "reject_count") > reject


def test_defects_never_pass_a_hundred_percent():
    model = model_for("stenter")
    values = model.initial() | {"chamber_temp": 25.0, "residual_moisture": 60.0}
    assert model.defect_target(values, Conditions()) == 100.0
    dyer = model_for("jet_dyer")
    cold = dyer.initial() | {"liquor_temp": 25.0}
    assert dyer.shade_target(cold, Conditions()) == 8.0
