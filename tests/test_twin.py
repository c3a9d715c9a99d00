"""The twin: fitting from historian samples, dry runs, the twin file, the CLI against the simulator, its error."""

from __future__ import annotations

import asyncio
import math

import httpx
import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.plc import open_plc
from connectors.site import DEMO_SITE
from simulator.process import settings_env
from twin import (
    BadChange,
    Change,
    FitPeriod,
    Limit,
    Reason,
    SetpointModel,
    Structure,
    Twin,
    TwinFileError,
    fit_twin,
    load_twin,
    predict,
    save_twin,
    twin_error,
)
from twin.model import unit_step
from ui.cli import app as plant_copilot

PLANT = load_plant(DEMO_SITE / "plant.yaml")
PERIOD = FitPeriod(from_s=0.0, to_s=3600.0, fitted_at="2026-01-01T00:00:00+00:00")
OVEN_LIVE = {"temp_setpoint": 180.0, "run": 1.0, "zone_temp": 180.0, "heater_power": 50.0, "fan_speed": 1450.0,
             "defect_rate": 0.5}


def oven_history(setpoints: list[float], *, gain: float, tau: float, dead: float, noise: float,
                 hold_s: float = 1800.0, seed: int = 0) -> dict[str, list[tuple[float, float]]]:
    """An oven's historian, 1 s samples: the setpoint steps every ``hold_s``, the zone follows a known FOPDT."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, hold_s * (len(setpoints) + 1), 1.0)
    u = np.full_like(t, 180.0)
    y = np.full_like(t, 180.0)
    old = 180.0
    for i, new in enumerate(setpoints):
        at = hold_s * (i + 1) - 0.5  # the write lands between two samples
        u[t > at] = new
        y += gain * (new - old) * unit_step(t - at, tau, 0.0, 0.0, dead)
        old = new
    y += rng.normal(0.0, noise, t.size)
    return {"temp_setpoint": list(zip(t, u)), "run": list(zip(t, np.ones_like(t))), "zone_temp": list(zip(t, y))}


def zone_model(**changes: float) -> SetpointModel:
    fields = dict(machine="OV-201", input="temp_setpoint", reading="zone_temp", structure=Structure.fopdt,
                  tau_s=180.0, dead_time_s=0.0, rmse=0.3, rmse_pct=0.1, steps=4, gain=1.0, around=180.0)
    return SetpointModel(**(fields | changes))


def twin_of(*models: SetpointModel, not_fitted=()) -> Twin:
    return Twin(plant=PLANT, period=PERIOD, models=models, not_fitted=tuple(not_fitted))


# ------------------------------------------------------------------------------------------------ fitting


def test_fit_recovers_a_known_fopdt_from_a_noisy_history():
    history = oven_history([190, 175, 185, 170, 195, 180], gain=0.8, tau=150.0, dead=20.0, noise=0.5)
    twin = fit_twin(PLANT, {"OV-201": history})
    [model] = twin.models_for("OV-201", "temp_setpoint", Change.setpoint)
    assert model.reading == "zone_temp" and model.structure is Structure.fopdt and model.curvature == 0.0
    assert model.gain == pytest.approx(0.8, rel=0.02)
    assert model.tau_s == pytest.approx(150.0, rel=0.05)
    assert model.dead_time_s == pytest.approx(20.5, abs=2.0)  # the write came half a sample after the old value
    assert model.rmse == pytest.approx(0.5, rel=0.1)  # what is left is the noise
    assert model.steps == 6


def test_a_history_without_steps_fits_nothing_and_says_so():
    history = oven_history([], gain=0.8, tau=150.0, dead=20.0, noise=0.5)
    twin = fit_twin(PLANT, {"OV-201": history})
    assert twin.models == ()
    reasons = {(n.input, n.change, n.reading): n.reason for n in twin.not_fitted}
    assert reasons[("temp_setpoint", Change.setpoint, None)] is Reason.no_changes
    assert reasons[("run", Change.start, None)] is Reason.no_changes
    run = predict(twin, "OV-201", "temp_setpoint", 190, OVEN_LIVE)
    assert not run.modelled and run.trajectories == () and "no setpoint change held" in run.why


def test_a_reading_that_does_not_follow_the_setpoint_is_not_paired():
    history = oven_history([190, 175, 185, 170], gain=0.8, tau=150.0, dead=20.0, noise=0.5)
    rng = np.random.default_rng(1)
    history["fan_speed"] = [(t, 1450.0 + rng.normal(0, 4.0)) for t, _ in history["zone_temp"]]
    twin = fit_twin(PLANT, {"OV-201": history})
    assert [m.reading for m in twin.models] == ["zone_temp"]
    [fan] = [n for n in twin.not_fitted if n.reading == "fan_speed"]
    assert fan.reason is Reason.no_response
    assert predict(twin, "OV-201", "temp_setpoint", 190, OVEN_LIVE).unaffected == ("fan_speed",)


# ------------------------------------------------------------------------------------------------ dry runs


def test_a_predicted_alarm_names_the_reading_the_limit_and_the_minute():
    run = predict(twin_of(zone_model()), "OV-201", "temp_setpoint", 230, OVEN_LIVE | {"temp_setpoint": 200.0,
                                                                                       "zone_temp": 200.0})
    # 200 + 30 (1 - e^(-t/180)) passes 215 at t = 180 ln 2 = 124.8 s, i.e. on the 125th second
    [alarm] = run.alarms
    assert (alarm.reading, alarm.limit, alarm.value, alarm.already) == ("zone_temp", Limit.high, 215.0, False)
    assert alarm.minute == pytest.approx(125 / 60, abs=0.01)
    assert run.trajectories[0].final == pytest.approx(230.0)


def test_no_alarm_when_the_prediction_stays_inside_the_limits():
    run = predict(twin_of(zone_model()), "OV-201", "temp_setpoint", 190, OVEN_LIVE)
    assert run.modelled and run.alarms == ()


def test_settle_time_of_a_known_model():
    twin = twin_of(zone_model(tau_s=100.0, dead_time_s=20.0))
    run = predict(twin, "OV-201", "temp_setpoint", 190, OVEN_LIVE)
    # within 2 % of the change from 20 + 100 ln 50 = 411.2 s on: the 412th second
    assert run.trajectories[0].settle_s == 412.0 and run.settle_s == 412.0
    slow = predict(twin_of(zone_model(tau_s=1000.0)), "OV-201", "temp_setpoint", 190, OVEN_LIVE, minutes=30)
    assert slow.trajectories[0].settle_s is None and slow.settle_s is None  # 1000 ln 50 s is more than 30 min


def test_a_second_order_model_overshoots_by_its_lead():
    kick = zone_model(reading="heater_power", structure=Structure.second_order, tau_s=180.0, tau2_s=5.0,
                      lead_s=2500.0, gain=0.3)
    run = predict(twin_of(kick), "OV-201", "temp_setpoint", 190, OVEN_LIVE)
    [t] = run.trajectories
    assert t.final == pytest.approx(53.0)
    assert max(t.values) > 80.0  # the heater works hard first, then the zone needs little more than before


def test_a_change_without_a_model_or_on_a_stopped_machine_is_not_invented():
    twin = twin_of(zone_model())
    stopped = predict(twin, "OV-201", "temp_setpoint", 190, OVEN_LIVE | {"run": 0.0})
    assert not stopped.modelled and "stopped" in stopped.why
    start = predict(twin, "OV-201", "run", 1, OVEN_LIVE | {"run": 0.0})
    assert not start.modelled and "no model of a start" in start.why
    assert not predict(twin, "OV-201", "run", 1, OVEN_LIVE).modelled  # already running


def test_a_dry_run_of_something_that_is_not_a_change_is_refused():
    twin = twin_of(zone_model())
    with pytest.raises(BadChange, match="not a setpoint or the run command"):
        predict(twin, "OV-201", "zone_temp", 190, OVEN_LIVE)
    with pytest.raises(BadChange, match="unknown machine"):
        predict(twin, "OV-999", "temp_setpoint", 190, OVEN_LIVE)
    with pytest.raises(BadChange, match="lack temp_setpoint"):
        predict(twin, "OV-201", "temp_setpoint", 190, {"zone_temp": 180.0})
    with pytest.raises(BadChange, match="finite number"):
        predict(twin, "OV-201", "temp_setpoint", math.nan, OVEN_LIVE)


def test_twin_error_is_the_rmse_of_prediction_against_the_samples():
    run = predict(twin_of(zone_model(tau_s=60.0)), "OV-201", "temp_setpoint", 190, OVEN_LIVE, minutes=2)
    since = 1000.0
    actual = {"zone_temp": [(since - 10, 170.0), (since, 180.0), (since + 60, 187.0), (since + 120, 188.0),
                            (since + 180, 150.0)]}  # before the change and past the horizon: left out
    predicted = [180.0, 180.0 + 10 * (1 - math.exp(-1)), 180.0 + 10 * (1 - math.exp(-2))]
    rmse = math.sqrt(((180.0 - predicted[0]) ** 2 + (187.0 - predicted[1]) ** 2 + (188.0 - predicted[2]) ** 2) / 3)
    err = twin_error(run, actual, since_s=since)["zone_temp"]
    assert rmse == pytest.approx(0.54125, abs=1e-4)
    assert err.rmse == pytest.approx(rmse) and err.fraction == pytest.approx(rmse / 300.0) and err.samples == 3


# ------------------------------------------------------------------------------------------------ the file


def test_the_twin_file_round_trips(tmp_path):
    history = oven_history([190, 175, 185, 170], gain=0.8, tau=150.0, dead=20.0, noise=0.5)
    twin = fit_twin(PLANT, {"OV-201": history})
    path = save_twin(twin, tmp_path / "twin.yaml")
    again = load_twin(path, PLANT)
    assert again.models == twin.models and again.not_fitted == twin.not_fitted and again.period == twin.period
    assert path.read_text().startswith("# The plant's digital twin")


def _broken(tmp_path, edit) -> str:
    path = save_twin(twin_of(zone_model()), tmp_path / "twin.yaml")
    raw = yaml.safe_load(path.read_text())
    edit(raw)
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(TwinFileError) as caught:
        load_twin(path, PLANT)
    assert str(path) in str(caught.value)
    return str(caught.value)


def test_a_twin_file_with_an_unknown_machine_tag_or_a_missing_field_is_refused(tmp_path):
    message = _broken(tmp_path, lambda raw: raw["models"][0].update(machine="OV-999"))
    assert "models[0].machine" in message and "OV-999" in message
    message = _broken(tmp_path, lambda raw: raw["models"][0].update(reading="zone_tmp"))
    assert "models[0].reading" in message and "zone_tmp" in message
    message = _broken(tmp_path, lambda raw: raw["models"][0].update(input="fan_speed"))
    assert "models[0].input" in message and "fan_speed" in message
    message = _broken(tmp_path, lambda raw: raw["models"][0].pop("gain"))
    assert "models[0] (OV-201 temp_setpoint -> zone_temp).gain" in message and "required" in message
    message = _broken(tmp_path, lambda raw: raw["models"][0].update(structure="third_order"))
    assert "structure" in message


def test_an_unreadable_twin_file_is_refused_naming_it(tmp_path):
    with pytest.raises(TwinFileError, match="nowhere.yaml"):
        load_twin(tmp_path / "nowhere.yaml", PLANT)


# ------------------------------------------------------------------------------------------------ the simulator


def test_twin_fit_on_the_simulator_models_the_oven_and_predicts_a_held_out_step(sim, tmp_path):
    """Two oven steps of 30 min, `twin fit` from the MES, then a third step predicted and compared."""
    def advance(seconds: float) -> None:
        httpx.post(f"{sim.sim_url}/advance", json={"seconds": seconds}, timeout=60).raise_for_status()

    async def write(value: float) -> float:
        async with open_plc(sim, PLANT, "modbus") as plc:
            await plc.write("OV-201", "temp_setpoint", value)
        return httpx.get(f"{sim.sim_url}/health", timeout=10).json()["sim_time"]

    advance(600)
    for value in (190, 182):
        asyncio.run(write(value))
        advance(1800)
    path = tmp_path / "twin.yaml"
    runner = CliRunner()
    env = settings_env(sim)
    fitted = runner.invoke(plant_copilot, ["twin", "fit", "--hours", "2", "--machine", "OV-201", "--file", str(path)],
                           env=env)
    assert fitted.exit_code == 0, fitted.output
    assert "zone_temp" in fitted.output and f"written to {path}" in fitted.output
    twin = load_twin(path, PLANT)
    zone = {m.reading: m for m in twin.models_for("OV-201", "temp_setpoint", Change.setpoint)}["zone_temp"]
    assert zone.gain > 0 and zone.steps == 2

    shown = runner.invoke(plant_copilot, ["twin", "predict", "OV-201", "temp_setpoint", "174", "--file", str(path)],
                          env=env)
    assert shown.exit_code == 0, shown.output
    assert "zone_temp" in shown.output and "settles" in shown.output

    async def live() -> dict[str, float]:
        async with open_plc(sim, PLANT, "opcua") as plc:
            return {k: float(v.value) for k, v in (await plc.read_many("OV-201")).items()
                    if isinstance(v.value, int | float)}

    run = predict(twin, "OV-201", "temp_setpoint", 174, asyncio.run(live()))
    at = asyncio.run(write(174))
    advance(1800)

    async def after() -> list[tuple[float, float]]:
        async with MesClient.from_settings(sim) as mes:
            return await mes.history("OV-201", "zone_temp", 31)

    err = twin_error(run, {"zone_temp": asyncio.run(after())}, since_s=at)["zone_temp"]
    assert err.samples >= 1700
    assert err.fraction < 0.005  # within 1.5 degC of the oven's 300 degC range (noise alone is 0.3 degC)
