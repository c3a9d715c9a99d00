"""Textile wet processing: a jet dyeing machine, a padding mangle and a stenter frame, each with its recipe's
window (60 degC and pH 10.8; 65 % pick-up; about 6.5 % residual moisture) outside which defects grow."""

from __future__ import annotations

import math

from simulator.machines.base import AMBIENT_C, Conditions, MachineModel, lag, ramp, window_penalty


class JetDyer(MachineModel):
    """A 400 kg batch in rope form in the dye liquor: the liquor ramps to its temperature at the heating rate,
    and the shade deviation (delta E) grows when temperature, pH or liquor ratio leave the recipe or the lot is bad."""

    kind = "jet_dyer"
    setpoints = {"temp_setpoint": 60.0, "heating_rate_setpoint": 2.0, "ph_setpoint": 10.8,
                 "liquor_ratio_setpoint": 6.0, "pump_speed_setpoint": 75.0}
    noise = {"liquor_temp": 0.15, "ph": 0.01, "liquor_level": 4.0, "pump_pressure": 0.01, "fabric_speed": 1.0,
             "vibration": 0.04, "shade_deviation": 0.02}
    drift_tag = "ph"
    temperature_loops = {"liquor_temp": "temp_setpoint"}
    deviation_alarms = {"liquor_temp": ("temp_setpoint", 12.0, 701), "ph": ("ph_setpoint", 0.6, 702)}
    BATCH_KG = 400.0
    CYCLE_S = 4 * 3600.0  # load, dye, rinse and unload one batch
    MAX_DELTA_E = 8.0
    _NOZZLE_M_PER_MIN = 3.6  # fabric speed per % of pump speed

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        if c.running:
            rate = max(0.1, v["heating_rate_setpoint"]) / 60.0
            v["liquor_temp"] = ramp(v["liquor_temp"], v["temp_setpoint"] + c.temp_offset, rate, 60.0, dt)
        else:
            v["liquor_temp"] = lag(v["liquor_temp"], AMBIENT_C, 3600.0, dt)
        v["ph"] = lag(v["ph"], v["ph_setpoint"], 180.0, dt)
        v["liquor_level"] = lag(v["liquor_level"], v["liquor_ratio_setpoint"] * self.BATCH_KG, 60.0, dt)
        pump = v["pump_speed_setpoint"] / 100.0 if c.running else 0.0
        v["pump_pressure"] = lag(v["pump_pressure"], 0.4 + 2.4 * pump * pump if c.running else 0.0, 3.0, dt)
        v["fabric_speed"] = lag(v["fabric_speed"], self._NOZZLE_M_PER_MIN * 100.0 * pump, 5.0, dt)
        v["vibration"] = lag(v["vibration"], pump / 0.75 * (1.6 + 10.0 * c.wear), 5.0, dt)
        if c.running:  # the dye reacts with the fabric only while the liquor circulates
            v["shade_deviation"] = lag(v["shade_deviation"], self.shade_target(v, c), 600.0, dt)

    def shade_target(self, v: dict[str, float], c: Conditions) -> float:
        """Delta E the batch tends to at these liquor conditions: 0.3 in the recipe's window, at most 8 (off shade)."""
        return min(self.MAX_DELTA_E, 0.3 + window_penalty(v["liquor_temp"], 60.0, 2.0, 3.0, 0.35)
                   + window_penalty(v["ph"], 10.8, 0.2, 0.3, 0.4)
                   + window_penalty(v["liquor_ratio_setpoint"], 6.0, 1.5, 1.0, 0.3)
                   + (1.5 if c.bad_material else 0.0))

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        return self.BATCH_KG / self.CYCLE_S if c.running else 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        # a worn jet nozzle circulates the fabric unevenly: listing
        return min(100.0, 0.4 + 4.0 * max(0.0, v["shade_deviation"] - 0.5) + 5.0 * c.tool_worn)


class Padder(MachineModel):
    """A two-bowl mangle: more nip pressure squeezes out more finish liquor (lower pick-up), more speed carries
    more through; pick-up outside 62 to 68 % or a trough run low gives an uneven finish."""

    kind = "padder"
    setpoints = {"nip_pressure_setpoint": 3.0, "speed_setpoint": 30.0, "trough_level_setpoint": 70.0}
    noise = {"nip_pressure": 0.02, "roller_speed": 0.1, "pick_up": 0.2, "trough_level": 0.4, "vibration": 0.04}
    drift_tag = "nip_pressure"
    deviation_alarms = {"nip_pressure": ("nip_pressure_setpoint", 0.6, 721)}

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["nip_pressure"] = lag(v["nip_pressure"], v["nip_pressure_setpoint"] if c.running else 0.0, 3.0, dt)
        v["roller_speed"] = lag(v["roller_speed"], v["speed_setpoint"] if c.running else 0.0, 5.0, dt)
        if c.running:
            pick_up = 95.0 - 10.0 * v["nip_pressure"] + 0.2 * (v["roller_speed"] - 30.0)
            v["pick_up"] = lag(v["pick_up"], pick_up, 10.0, dt)
        draw = 0.1 * (v["roller_speed"] - 30.0) if c.running else 0.0  # the feed pump lags a faster draw
        v["trough_level"] = lag(v["trough_level"], v["trough_level_setpoint"] - draw, 60.0, dt)
        v["vibration"] = lag(v["vibration"], v["roller_speed"] / 30.0 * (1.4 + 10.0 * c.wear), 5.0, dt)

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return min(100.0, 0.3 + window_penalty(v["pick_up"], 65.0, 3.0, 3.0, 0.7)
                   + window_penalty(v["trough_level"], 70.0, 25.0, 10.0, 1.0))


class Stenter(MachineModel):
    """Fabric on pin chains through 24 m of hot-air chambers: the residual moisture falls with the dwell time
    (length over speed) and the heat above 60 degC; overfeed narrows it; too wet, too hot or overfed: defects."""

    kind = "stenter"
    setpoints = {"temp_setpoint": 170.0, "speed_setpoint": 30.0, "overfeed_setpoint": 4.0, "width_setpoint": 160.0}
    noise = {"chamber_temp": 0.3, "fabric_speed": 0.1, "overfeed": 0.05, "fabric_width": 0.1,
             "residual_moisture": 0.1, "vibration": 0.04}
    drift_tag = "residual_moisture"
    temperature_loops = {"chamber_temp": "temp_setpoint"}
    deviation_alarms = {"chamber_temp": ("temp_setpoint", 12.0, 741)}
    CHAMBERS_M = 24.0  # eight fields of 3 m
    _INLET_MOISTURE = 60.0  # % above the dry residue, as the fabric leaves the padder

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        target = v["temp_setpoint"] + c.temp_offset if c.running else AMBIENT_C
        v["chamber_temp"] = lag(v["chamber_temp"], target, 240.0 if c.running else 1200.0, dt)
        v["fabric_speed"] = lag(v["fabric_speed"], v["speed_setpoint"] if c.running else 0.0, 5.0, dt)
        v["overfeed"] = lag(v["overfeed"], v["overfeed_setpoint"], 3.0, dt)
        v["fabric_width"] = lag(v["fabric_width"], v["width_setpoint"] - 0.4 * (v["overfeed"] - 4.0), 20.0, dt)
        if c.running:
            v["dwell_time"] = 60.0 * self.CHAMBERS_M / max(1.0, v["fabric_speed"])
            drying = v["dwell_time"] * max(0.0, v["chamber_temp"] - 60.0)
            moisture = 2.0 + self._INLET_MOISTURE * math.exp(-drying / 2000.0)
            v["residual_moisture"] = lag(v["residual_moisture"], moisture, 30.0, dt)
        fan = 1.0 if c.running else 0.0
        v["vibration"] = lag(v["vibration"], fan * (1.8 + 10.0 * c.wear), 5.0, dt)

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        return v["fabric_speed"] / 60.0 if c.running else 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return min(100.0, 0.4 + window_penalty(v["residual_moisture"], 6.5, 1.5, 1.5, 0.8)
                   + window_penalty(v["chamber_temp"], 170.0, 10.0, 8.0, 0.6)
                   + window_penalty(v["overfeed"], 4.0, 2.0, 2.0, 0.5))
