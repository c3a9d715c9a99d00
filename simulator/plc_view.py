"""What a machine's PLC reports of it: register encodings, measured values with noise and drift, and alarms.

``measure`` turns one machine's true state (a ``MachineRun``) and what the faults do to it right now
(``Effects``) into the PLC's view: every tag of the plant file, encoded as its register holds it, sensors
clipped to the tag's range. ``simulator.physics`` drives it; nothing here keeps state or takes a lock.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.errors import InvalidRequest, Rejected
from connectors.plant import Machine, Tag
from simulator.machines import Conditions, MachineModel

Value = float | int | bool | str

# The PLC alarm a threshold on a tag raises (codes as in the plant file's alarm_codes).
THRESHOLD_ALARMS = {
    "vibration": 101,
    "bearing_temp": 102,
    "discharge_pressure": 103,
    "oil_temp": 201,
    "hydraulic_pressure": 202,
    "barrel_temp": 301,
    "zone_temp": 401,
    "fill_volume": 501,
    "liquor_temp": 701,
    "ph": 702,
    "shade_deviation": 703,
    "liquor_level": 704,
    "pump_pressure": 705,
    "nip_pressure": 721,
    "trough_level": 722,
    "chamber_temp": 741,
    "residual_moisture": 742,
}
JAM_ALARM = 601
STOPPED, RUNNING, FAULTED = 0, 1, 2


_TEXT, _DERIVED, _SENSOR, _SETTING = "text", "derived", "sensor", "setting"
_DERIVED_TAGS = {"state", "run", "good_count", "reject_count", "defect_rate", "run_hours", "jam_detected", "alarm_code"}
Reading = tuple[str, Callable[[float], Value], float, float]  # source, encoder, sensor range low, high


def plan_readings(machine: Machine, model: MachineModel) -> dict[str, Reading]:
    """How each of the machine's tags is read (text, derived, noisy sensor or setting), in the plant file's order."""
    plan: dict[str, Reading] = {}
    for name, tag in machine.tags.items():
        if tag.is_text:
            source = _TEXT
        elif name in _DERIVED_TAGS:
            source = _DERIVED
        elif name in model.noise:
            source = _SENSOR
        else:
            source = _SETTING
        low = tag.min if tag.min is not None else -math.inf
        high = tag.max if tag.max is not None else math.inf
        plan[name] = (source, encoder(tag), low, high)
    return plan


@dataclass
class MachineRun:
    """Everything that changes about one machine while the plant runs."""

    machine: Machine
    model: MachineModel
    true: dict[str, float]  # physical variables and setpoints
    run: bool = True
    text: dict[str, str] = field(default_factory=dict)
    good: float = 0.0
    reject: float = 0.0
    defect: float = 0.0
    run_s: float = 0.0
    plan: dict[str, Reading] = field(default_factory=dict)  # how each tag is read, in the plant file's order
    noise: dict[str, float] = field(default_factory=dict)  # this step's measurement noise per sensor
    measured: dict[str, Value] = field(default_factory=dict)  # the PLC's view, refreshed every step


@dataclass(frozen=True)
class Effects:
    """What the active faults and the material do to one machine right now."""

    conditions: Conditions
    jammed: bool = False
    drifting_tag: str | None = None
    drift_offset: float = 0.0


def measure(run: MachineRun, effects: Effects) -> dict[str, Value]:
    """The PLC's view of one machine, tag -> value, from its true state, this step's noise and the faults."""
    derived: dict[str, float | bool] = {
        "state": FAULTED if effects.jammed else RUNNING if run.run else STOPPED,
        "run": run.run,
        "good_count": math.floor(run.good),
        "reject_count": math.floor(run.reject),
        "defect_rate": max(0.0, run.defect + run.noise.get("defect_rate", 0.0)),
        "run_hours": math.floor(run.run_s / 3600.0),
        "jam_detected": effects.jammed,
        "alarm_code": 0,  # set below, once the other values are known
    }
    m: dict[str, Value] = {}
    for name, (source, encode, low, high) in run.plan.items():
        if source is _TEXT:
            m[name] = run.text[name]
        elif source is _DERIVED:
            m[name] = encode(derived[name])
        elif source is _SENSOR:
            drift = effects.drift_offset if name == effects.drifting_tag else 0.0
            m[name] = encode(min(high, max(low, run.true[name] + run.noise[name] + drift)))
        else:
            m[name] = encode(run.true[name])
    if "alarm_code" in m:
        m["alarm_code"] = alarm_code(run, m, effects)
    return m


def alarm_code(run: MachineRun, m: dict[str, Value], effects: Effects) -> int:
    """The first alarm, in the plant file's tag order: jam, thresholds, setpoint deviations."""
    if effects.jammed and "jam_detected" in m:
        return JAM_ALARM
    running = effects.conditions.running
    for name, tag in run.machine.tags.items():
        code = THRESHOLD_ALARMS.get(name)
        value = m[name]
        if code is None or isinstance(value, (bool, str)):
            continue
        if tag.alarm_high is not None and value > tag.alarm_high:
            return code
        if tag.alarm_low is not None and value < tag.alarm_low and running:
            return code
        if name in run.model.deviation_alarms and running:
            setpoint, band, deviation_code = run.model.deviation_alarms[name]
            if abs(value - run.true[setpoint]) > band:
                return deviation_code
    return 0


_INT_RANGE = {"uint16": (0, 0xFFFF), "int16": (-0x8000, 0x7FFF), "uint32": (0, 0xFFFFFFFF)}


def resting_value(tag: Tag) -> float:
    """Start value of a tag no model drives: mid-range if it has limits, else zero."""
    if tag.min is not None and tag.max is not None and tag.modbus.type != "bool":
        return (tag.min + tag.max) / 2.0
    return 0.0


_F32 = struct.Struct("<f")


def encoder(tag: Tag) -> Callable[[float], Value]:
    """How the PLC register holds a value: bools as bool, REALs in single precision, integers at their scale."""
    kind, scale = tag.modbus.type, tag.modbus.scale
    if kind == "bool":
        return bool
    if kind == "float32":
        return lambda v: _F32.unpack(_F32.pack(v))[0]
    if scale == 1:
        return lambda v: int(round(v))
    return lambda v: round(v * scale) / scale


def register_value(tag: Tag, value: Value) -> float | bool:
    """Check a written value fits the tag's register; the stored value, as the register holds it."""
    if tag.modbus.type == "bool":
        if isinstance(value, bool) or (isinstance(value, (int, float)) and value in (0, 1)):
            return bool(value)
        raise InvalidRequest(f"{tag.key} takes true/false (or 1/0), not {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidRequest(f"{tag.key} takes a finite number, not {value!r}")
    stored = encoder(tag)(float(value))
    if tag.modbus.type in _INT_RANGE:
        low, high = _INT_RANGE[tag.modbus.type]
        raw = round(float(value) * tag.modbus.scale)
        if not low <= raw <= high:
            raise Rejected(f"{value!r} does not fit {tag.key}'s {tag.modbus.type} register "
                           f"(scale {tag.modbus.scale:g})")
    return stored
