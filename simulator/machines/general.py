"""The kinds of the moulding and filling plant, and the pump and conveyor that any plant may have."""

from __future__ import annotations

from simulator.machines.base import AMBIENT_C, Conditions, MachineModel, lag, window_penalty


class CentrifugalPump(MachineModel):
    """Affinity laws: flow grows with speed, head and pressure with speed squared, power with speed cubed."""

    kind = "centrifugal_pump"
    setpoints = {"speed_setpoint": 2400.0}
    noise = {"speed": 3.0, "flow": 0.3, "discharge_pressure": 0.03, "motor_current": 0.1,
             "vibration": 0.04, "bearing_temp": 0.2}
    drift_tag = "bearing_temp"
    _RATED_RPM = 2900.0
    _DUTY_RPM = 2400.0

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["speed"] = lag(v["speed"], v["speed_setpoint"] if c.running else 0.0, 3.0, dt)
        r = v["speed"] / self._RATED_RPM
        duty = v["speed"] / self._DUTY_RPM
        v["flow"] = lag(v["flow"], 95.0 * r, 2.0, dt)
        v["discharge_pressure"] = lag(v["discharge_pressure"], 1.2 + 8.0 * r * r, 2.0, dt)
        current = (4.0 + 30.0 * r**3) * (1.0 + 0.15 * c.wear) if c.running else 0.0
        v["motor_current"] = lag(v["motor_current"], current, 1.0, dt)
        v["vibration"] = lag(v["vibration"], duty * (2.5 + 10.0 * c.wear), 5.0, dt)
        heat = min(duty, 1.25)
        v["bearing_temp"] = lag(v["bearing_temp"], AMBIENT_C + heat * (27.0 + 35.0 * c.wear), 300.0, dt)


class HydraulicPress(MachineModel):
    """Pressure and stroke rate follow their setpoints; oil heats with both, and defects grow off 160 bar."""

    kind = "hydraulic_press"
    setpoints = {"pressure_setpoint": 160.0, "stroke_rate_setpoint": 12.0}
    noise = {"hydraulic_pressure": 0.8, "oil_temp": 0.15, "vibration": 0.04, "stroke_rate": 0.05}
    drift_tag = "oil_temp"

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["hydraulic_pressure"] = lag(v["hydraulic_pressure"], v["pressure_setpoint"] if c.running else 0.0, 2.0, dt)
        v["stroke_rate"] = lag(v["stroke_rate"], v["stroke_rate_setpoint"] if c.running else 0.0, 3.0, dt)
        heat = 5.0 + 0.08 * v["hydraulic_pressure"] + 0.6 * v["stroke_rate"] + 15.0 * c.wear
        v["oil_temp"] = lag(v["oil_temp"], AMBIENT_C + heat, 600.0, dt)
        v["vibration"] = lag(v["vibration"], v["stroke_rate"] / 12.0 * (1.8 + 10.0 * c.wear), 5.0, dt)

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        return v["stroke_rate"] / 60.0 if c.running else 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return (0.6 + window_penalty(v["hydraulic_pressure"], 160.0, 10.0, 25.0, 0.8)
                + 0.3 * max(0.0, v["stroke_rate"] - 18.0) + (3.5 if c.bad_material else 0.0)
                + 5.0 * c.tool_worn)  # a worn trim die leaves burrs


class InjectionMoulder(MachineModel):
    """Two-cavity mould; the barrel heaters stay on while the machine is stopped."""

    kind = "injection_moulder"
    setpoints = {"barrel_temp_setpoint": 230.0, "hold_pressure_setpoint": 650.0}
    noise = {"barrel_temp": 0.3, "mould_temp": 0.2, "injection_pressure": 4.0, "cycle_time": 0.05}
    drift_tag = "mould_temp"
    temperature_loops = {"barrel_temp": "barrel_temp_setpoint"}
    deviation_alarms = {"barrel_temp": ("barrel_temp_setpoint", 15.0, 301)}
    _CAVITIES = 2

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["barrel_temp"] = lag(v["barrel_temp"], v["barrel_temp_setpoint"] + c.temp_offset, 240.0, dt)
        mould = 55.0 + 0.1 * (v["barrel_temp"] - 230.0) if c.running else 40.0
        v["mould_temp"] = lag(v["mould_temp"], mould, 300.0, dt)
        pressure = 400.0 + 1.1 * v["hold_pressure_setpoint"] + 8.0 * (230.0 - v["barrel_temp"])
        v["injection_pressure"] = lag(v["injection_pressure"], max(0.0, pressure) if c.running else 0.0, 2.0, dt)
        if c.running:
            cycle = 28.0 + 0.1 * (v["mould_temp"] - 55.0) + 0.5 * (v["hold_pressure_setpoint"] - 650.0) / 100.0
            v["cycle_time"] = lag(v["cycle_time"], cycle, 10.0, dt)

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        return self._CAVITIES / v["cycle_time"] if c.running and v["cycle_time"] > 0 else 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return (0.8 + window_penalty(v["barrel_temp"], 230.0, 5.0, 10.0, 0.7)
                + window_penalty(v["hold_pressure_setpoint"], 650.0, 50.0, 100.0, 0.6)
                + (4.0 if c.bad_material else 0.0) + 6.0 * c.tool_worn)  # a worn mould's parting line flashes


class CuringOven(MachineModel):
    """One heated zone on a temperature loop that a controller fault pushes off its setpoint."""

    kind = "curing_oven"
    setpoints = {"temp_setpoint": 180.0}
    noise = {"zone_temp": 0.3, "fan_speed": 4.0, "heater_power": 0.3}
    drift_tag = "zone_temp"
    temperature_loops = {"zone_temp": "temp_setpoint"}
    deviation_alarms = {"zone_temp": ("temp_setpoint", 15.0, 401)}

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        target = v["temp_setpoint"] + c.temp_offset if c.running else AMBIENT_C
        v["zone_temp"] = lag(v["zone_temp"], target, 180.0 if c.running else 900.0, dt)
        power = min(100.0, max(0.0, 0.3 * (target - AMBIENT_C) + 4.0 * (target - v["zone_temp"])))
        v["heater_power"] = lag(v["heater_power"], power if c.running else 0.0, 5.0, dt)
        v["fan_speed"] = lag(v["fan_speed"], 1450.0 if c.running else 0.0, 5.0, dt)

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return 0.5 + window_penalty(v["zone_temp"], 180.0, 5.0, 8.0, 0.9)


class Filler(MachineModel):
    """Rotary filler: above about 90 bottles a minute the fill runs short and defects grow."""

    kind = "filler"
    setpoints = {"fill_setpoint": 500.0, "speed_setpoint": 80.0}
    noise = {"fill_volume": 0.3, "nozzle_pressure": 0.02, "speed": 0.3}
    drift_tag = "fill_volume"
    deviation_alarms = {"fill_volume": ("fill_setpoint", 5.0, 501)}

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["speed"] = lag(v["speed"], v["speed_setpoint"] if c.running else 0.0, 3.0, dt)
        if c.running:
            fill = v["fill_setpoint"] - 0.05 * max(0.0, v["speed"] - 90.0)
            v["fill_volume"] = lag(v["fill_volume"], fill, 2.0, dt)
        v["nozzle_pressure"] = lag(v["nozzle_pressure"], 2.0 + 0.012 * v["speed"] if c.running else 0.2, 2.0, dt)

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        return v["speed"] / 60.0 if c.running else 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        return (0.4 + window_penalty(v["fill_volume"], 500.0, 2.5, 2.5, 1.0)
                + 0.05 * max(0.0, v["speed"] - 100.0))


class Conveyor(MachineModel):
    """Belt speed follows its setpoint; bearing wear raises the motor current and vibration."""

    kind = "conveyor"
    setpoints = {"speed_setpoint": 24.0}
    noise = {"belt_speed": 0.1, "motor_current": 0.05, "vibration": 0.04}
    drift_tag = "motor_current"

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        v["belt_speed"] = lag(v["belt_speed"], v["speed_setpoint"] if c.running else 0.0, 2.0, dt)
        current = (2.0 + 0.2 * v["belt_speed"]) * (1.0 + 0.3 * c.wear) if c.running else 0.0
        v["motor_current"] = lag(v["motor_current"], current, 1.0, dt)
        v["vibration"] = lag(v["vibration"], v["belt_speed"] / 24.0 * (1.8 + 10.0 * c.wear), 5.0, dt)
