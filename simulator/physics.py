"""The simulated plant: every machine of the plant file, its PLC's view of it, and its historian.

One ``PlantSimulation`` is shared by the Modbus and OPC UA servers, the MES and the
control API. It is deterministic: the same seed and the same sequence of calls give
the same values (the only randomness is measurement noise, from its own
``random.Random(seed)``). All public methods are thread-safe.

What the PLC reports (``read``, ``snapshot``, the historian) is the *measured* value:
the true value plus sensor noise and any sensor drift, clipped to the tag's range
(``simulator.plc_view``).
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from connectors.errors import InvalidRequest, NotFound, Rejected
from connectors.plant import Machine, Plant
from simulator.faults import MACHINE_FAULTS, Fault, FaultBoard, FaultKind
from simulator.historian import Historian
from simulator.machines import Conditions, lag, model_for
from simulator.plc_view import (
    FAULTED,
    JAM_ALARM,
    RUNNING,
    STOPPED,
    THRESHOLD_ALARMS,
    Effects,
    MachineRun,
    Value,
    measure,
    plan_readings,
    register_value,
    resting_value,
)

__all__ = ["BAD_LOTS", "FAULTED", "JAM_ALARM", "RUNNING", "STOPPED", "THRESHOLD_ALARMS", "PlantSimulation", "Process",
           "Value"]

STEP_S = 1.0  # the largest physics step; longer ticks are split into steps of at most this
_EPSILON_S = 1e-9  # times closer than this are the same instant
_SNAP_S = 1e-6  # a tick ending this close to a whole step ends on it
DEFECT_TAU_S = 120.0  # how quickly the measured defect rate follows the process
WEAR_TIME_S = 900.0  # bearing wear reaches its fault's severity after this long (and grows on to 1)
DEFECT_NOISE = 0.02  # measurement noise of the defect rate, percentage points
DRIFT_TIME_S = 600.0  # a drifting sensor reaches its full offset after this long
DRIFT_SPAN = 0.10  # full sensor drift at severity 1, as a share of the tag's range
TEXT_CHANGES_KEPT = 1000  # changes of one text tag kept (the MES's material lot genealogy reads them)
CONTROLLER_DRIFT_C = 25.0  # how far a drifting temperature loop settles off its setpoint at severity 1

# Lots of raw material known to be off-spec (the riverside plant's moulding lots, the dyehouse's dye lot);
# loading one (material_lot) raises the machine's defects. The text tags, run hours and counters each plant's
# machines start with, by machine id.
BAD_LOTS = frozenset({"LOT-24-0907", "LOT-24-0911", "LOT-26-0318"})
INITIAL_TEXT = {"material_lot": {"HP-102": "LOT-24-0812", "IM-103": "LOT-24-0815", "JD-102": "LOT-26-0302"},
                "colourway": {"JD-102": "TW-240-NAVY"}, "finish_recipe": {"PD-201": "FIN-SOFT-02"}}
INITIAL_RUN_HOURS = {"P-101": 18250.0, "WP-101": 9420.0}
INITIAL_TOOL_SHARE = {"HP-102": 0.62, "IM-103": 0.81, "JD-102": 0.78}  # each tool's cycles as a share of its life
INITIAL_COUNTS = {"HP-102": (4210.0, 38.0), "IM-103": (1130.0, 12.0), "FL-202": (7420.0, 41.0),
                  "JD-102": (5200.0, 31.0), "ST-202": (18650.0, 96.0)}


@dataclass(frozen=True)
class Process:
    """A machine's true state at one instant (not the PLC's view): what a camera on its parts would see."""

    conditions: Conditions
    values: dict[str, float]  # physical variables and setpoints, without measurement noise
    text: dict[str, str]  # text tags (material lot, ...)


class PlantSimulation:
    """Machine physics on a tick, driven by the fault board, read and written like a PLC."""

    def __init__(self, plant: Plant, faults: FaultBoard, seed: int = 0, *,
                 history_s: float = 7200.0, sample_s: float = 1.0) -> None:
        self.plant = plant
        self.faults = faults
        self.seed = seed
        self._lock = threading.RLock()
        self._numeric = {m.id: [n for n, t in m.tags.items() if not t.is_text] for m in plant.machines.values()}
        keys = [(machine_id, name) for machine_id, names in self._numeric.items() for name in names]
        self._historian = Historian(keys, retention_s=history_s, interval_s=sample_s)
        self._watchers: list[Callable[[float], None]] = []
        self.reset()

    # ----------------------------------------------------------------- lifecycle

    def reset(self) -> None:
        """Back to the initial state for the seed: all machines running, no faults, empty history."""
        with self._lock:
            self.faults.clear()
            self._rng = random.Random(self.seed)
            self._fault_age: dict[tuple[FaultKind, str], float] = {}
            self.sim_time = 0.0
            self._historian.clear()
            self._machines = {m.id: self._initial(m) for m in self.plant.machines.values()}
            self._tool_cycles = {m.id: INITIAL_TOOL_SHARE.get(m.id, 0.0) * m.tool.rated_cycles
                                 for m in self.plant.machines.values() if m.tool is not None}
            self._texts = {(mid, name): [(0.0, text)] for mid, run in self._machines.items()
                           for name, text in run.text.items()}
            for run in self._machines.values():
                self._draw_noise(run)
            self._measure_all()
            self._sample()

    def _initial(self, machine: Machine) -> MachineRun:
        model = model_for(machine.kind)
        true = model.initial()
        for name, tag in machine.tags.items():
            if not tag.is_text and name not in true:
                true[name] = resting_value(tag)
        good, reject = INITIAL_COUNTS.get(machine.id, (0.0, 0.0))
        run = MachineRun(
            machine=machine, model=model, true=true, good=good, reject=reject, plan=plan_readings(machine, model),
            run_s=INITIAL_RUN_HOURS.get(machine.id, 0.0) * 3600.0,
            text={name: INITIAL_TEXT.get(name, {}).get(machine.id, "")
                  for name, tag in machine.tags.items() if tag.is_text},
        )
        run.defect = model.defect_target(true, Conditions())
        return run

    # ----------------------------------------------------------------- time

    def tick(self, dt_s: float) -> None:
        """Advance simulated time by ``dt_s`` seconds.

        Steps end on whole multiples of ``STEP_S`` (and at the end of the tick), so the
        physics never takes a step longer than ``STEP_S`` and the historian samples
        land on whole seconds however the ticks are sized.
        """
        if not math.isfinite(dt_s) or dt_s < 0:
            raise ValueError(f"dt_s must be a finite number >= 0, not {dt_s!r}")
        with self._lock:
            end = self.sim_time + dt_s
            if abs(end - round(end / STEP_S) * STEP_S) < _SNAP_S:  # 0.1 + 0.2 ends on 0.3, not beside it
                end = round(end / STEP_S) * STEP_S
            while end - self.sim_time > _EPSILON_S:
                boundary = (math.floor(self.sim_time / STEP_S + _EPSILON_S) + 1) * STEP_S
                self._step_to(boundary if boundary < end - _EPSILON_S else end)

    def _step_to(self, until: float) -> None:
        dt = until - self.sim_time
        active = self._active_faults()
        self._fault_age = {key: self._fault_age.get(key, 0.0) + dt for key in active}
        for run in self._machines.values():
            effects = self._effects(run, active)
            c = effects.conditions
            run.model.step(run.true, dt, c)
            if c.running:
                made = run.model.output_per_s(run.true, c) * dt
                run.defect = lag(run.defect, run.model.defect_target(run.true, c), DEFECT_TAU_S, dt)
                run.reject += made * run.defect / 100.0
                run.good += made * (1.0 - run.defect / 100.0)
                if run.machine.tool is not None:
                    self._tool_cycles[run.machine.id] += made * run.machine.tool.per_unit
                run.run_s += dt
            self._draw_noise(run)
            run.measured = measure(run, effects)
        self.sim_time = until
        if self.sim_time >= self._next_sample_at - _EPSILON_S:
            self._sample()
        for watcher in self._watchers:
            watcher(self.sim_time)

    def watch(self, watcher: Callable[[float], None]) -> None:
        """Call ``watcher(sim_time)`` after every physics step, with the plant's lock held (a camera's shutter)."""
        self._watchers.append(watcher)

    def process(self, machine_id: str) -> Process:
        """The machine's true state now: its conditions, physical values and text tags."""
        machine = self.plant.machine(machine_id)
        with self._lock:
            run = self._machines[machine.id]
            effects = self._effects(run, self._active_faults())
            return Process(effects.conditions, dict(run.true), dict(run.text))

    def _sample(self) -> None:
        row: list[float] = []
        for machine_id, run in self._machines.items():
            names = self._numeric[machine_id]
            if self._offline(machine_id):
                row.extend([math.nan] * len(names))
            else:
                row.extend([float(run.measured[name]) for name in names])
        self._historian.record(self.sim_time, row)
        interval = self._historian.interval_s
        self._next_sample_at = (math.floor(self.sim_time / interval + _EPSILON_S) + 1) * interval

    # ----------------------------------------------------------------- faults

    def _active_faults(self) -> dict[tuple[FaultKind, str], Fault]:
        return {(f.kind, f.machine_id): f for f in self.faults.active() if f.machine_id}

    def _offline(self, machine_id: str) -> bool:
        return self.faults.get(FaultKind.plc_offline, machine_id) is not None

    def _effects(self, run: MachineRun, active: dict[tuple[FaultKind, str], Fault]) -> Effects:
        mid = run.machine.id
        wear = active.get((FaultKind.bearing_wear, mid))
        loop = active.get((FaultKind.temp_controller_drift, mid))
        sensor = active.get((FaultKind.sensor_drift, mid))
        jammed = (FaultKind.jam, mid) in active
        conditions = Conditions(
            running=run.run and not jammed,
            wear=min(1.0, wear.severity * self._fault_age.get((wear.kind, mid), 0.0) / WEAR_TIME_S) if wear else 0.0,
            temp_offset=loop.severity * CONTROLLER_DRIFT_C if loop else 0.0,
            bad_material=run.text.get("material_lot", "").strip().upper() in BAD_LOTS,
            tool_worn=self._tool_worn(run.machine),
        )
        if sensor is None:
            return Effects(conditions, jammed)
        name = sensor.tag or run.model.drift_tag
        tag = run.machine.tags.get(name or "")
        if tag is None:
            span = 0.0
        elif tag.min is not None and tag.max is not None:
            span = tag.max - tag.min
        else:
            span = abs(run.true.get(tag.name, 0.0))
        ramp = min(1.0, self._fault_age.get((sensor.kind, mid), 0.0) / DRIFT_TIME_S)
        return Effects(conditions, jammed, name, sensor.severity * DRIFT_SPAN * span * ramp)

    def tool_cycles(self, machine_id: str) -> int:
        """The cycles the machine's tool has run since it was last changed (a ``tool_wear`` fault of severity s
        ages it by s times its rated life; clearing the fault changes the tool); InvalidRequest without a tool."""
        machine = self.plant.machine(machine_id)
        if machine.tool is None:
            raise InvalidRequest(f"{machine.id} has no tool; machines with one: {', '.join(self._tool_cycles)}")
        with self._lock:
            aged = self.faults.get(FaultKind.tool_wear, machine.id)
            return int(self._tool_cycles[machine.id] + (aged.severity * machine.tool.rated_cycles if aged else 0.0))

    def _tool_worn(self, machine: Machine) -> float:
        """How far the machine's tool has run past its rated life: 0 within it, 1 at twice it or beyond."""
        if machine.tool is None:
            return 0.0
        return min(1.0, max(0.0, self.tool_cycles(machine.id) / machine.tool.rated_cycles - 1.0))

    def inject_fault(self, fault: Fault) -> Fault:
        """Check a fault against the plant and put it on the board; returns it with ids made canonical.

        Raises ``NotFound`` (unknown machine or tag) or ``InvalidRequest`` (a fault that cannot
        apply), and then changes nothing.
        """
        if fault.kind not in MACHINE_FAULTS:
            if fault.machine_id or fault.tag:
                raise InvalidRequest(f"{fault.kind} is plant-wide: give no machine_id or tag")
            self.faults.inject(fault)
            return fault
        if not fault.machine_id:
            raise InvalidRequest(f"{fault.kind} needs a machine_id; the plant has: {', '.join(self._machines)}")
        machine = self.plant.machine(fault.machine_id)
        model = self._machines[machine.id].model
        tag = fault.tag
        if fault.kind is FaultKind.sensor_drift:
            tag = tag or model.drift_tag
            sensors = [name for name in model.noise if name in machine.tags]
            if tag and tag not in machine.tags:
                machine.tag(tag)  # NotFound, naming the machine's tags
            if tag not in sensors:
                raise InvalidRequest(f"{machine.id}.{tag} is not an analog sensor; "
                                     f"sensors that can drift: {', '.join(sensors) or 'none'}")
        elif tag:
            raise InvalidRequest(f"tag is only for sensor_drift, not for {fault.kind}")
        if fault.kind is FaultKind.tool_wear and machine.tool is None:
            raise InvalidRequest(f"{machine.id} has no tool to wear; machines with one: {', '.join(self._tool_cycles)}")
        if fault.kind is FaultKind.temp_controller_drift and not model.temperature_loops:
            loops = [mid for mid, r in self._machines.items() if r.model.temperature_loops]
            raise InvalidRequest(f"{machine.id} has no temperature controller; machines with one: {', '.join(loops)}")
        fault = fault.model_copy(update={"machine_id": machine.id, "tag": tag})
        with self._lock:
            self.faults.inject(fault)
            self._measure_all()
        return fault

    def clear_faults(self, kind: FaultKind | None = None, machine_id: str | None = None) -> int:
        """Clear matching faults (a cleared bearing, sensor or tool counts as replaced); returns how many."""
        canonical = self.plant.machine(machine_id).id if machine_id else None
        with self._lock:
            for worn in [f for f in self.faults.active() if f.kind is FaultKind.tool_wear]:
                if kind in (None, FaultKind.tool_wear) and canonical in (None, worn.machine_id):
                    self._tool_cycles[str(worn.machine_id)] = 0.0  # a new tool
            cleared = self.faults.clear(kind, canonical)
            self._measure_all()
            return cleared

    def is_offline(self, machine_id: str) -> bool:
        """Whether the machine's PLC has stopped answering (the protocol servers then refuse it)."""
        return self._offline(self.plant.machine(machine_id).id)

    # ----------------------------------------------------------------- the PLC's view

    def _draw_noise(self, run: MachineRun) -> None:
        rng = self._rng
        run.noise = {name: rng.gauss(0.0, sigma) for name, sigma in run.model.noise.items()}
        run.noise["defect_rate"] = rng.gauss(0.0, DEFECT_NOISE)

    def _measure_all(self) -> None:
        active = self._active_faults()
        for run in self._machines.values():
            run.measured = measure(run, self._effects(run, active))

    def read(self, machine_id: str, tag: str) -> Value:
        """The tag's engineering value as the PLC reports it."""
        t = self.plant.tag(machine_id, tag)
        with self._lock:
            return self._machines[t.machine_id].measured[t.name]

    def snapshot(self) -> dict[str, dict[str, Value]]:
        """Every machine's tags as the PLCs report them: machine -> tag -> value."""
        with self._lock:
            return {mid: dict(run.measured) for mid, run in self._machines.items()}

    def history(self, machine_id: str, tag: str, seconds: float) -> list[tuple[float, float]]:
        """Historian samples ``(sim_time, value)`` of a numeric tag over the last ``seconds``, oldest first."""
        t = self.plant.tag(machine_id, tag)
        if t.is_text:
            raise NotFound(f"the historian keeps numbers only; {t.key} is a text tag")
        if not math.isfinite(seconds) or seconds <= 0:
            raise InvalidRequest(f"seconds must be a positive number, not {seconds!r}")
        with self._lock:
            return self._historian.samples((t.machine_id, t.name), self.sim_time - seconds)

    def history_since(self, machine_id: str, tag: str, since: float) -> list[tuple[float, float]]:
        """Historian samples ``(sim_time, value)`` of a numeric tag taken at or after ``since``, oldest first."""
        t = self.plant.tag(machine_id, tag)
        with self._lock:
            return self._historian.samples((t.machine_id, t.name), since)

    def all_history_since(self, since: float) -> dict[tuple[str, str], list[tuple[float, float]]]:
        """Every numeric tag's historian samples taken at or after ``since``, by ``(machine, tag)``, at one instant."""
        with self._lock:
            return {(m, name): self._historian.samples((m, name), since)
                    for m, names in self._numeric.items() for name in names}

    def text_history(self, machine_id: str, tag: str, seconds: float) -> list[tuple[float, str]]:
        """What a text tag held over the last ``seconds``: ``(sim_time, text)`` of the text in force at the window's
        start (when it was put there) and of each change since, oldest first."""
        t = self.plant.tag(machine_id, tag)
        if not t.is_text:
            raise InvalidRequest(f"{t.key} is not a text tag")
        with self._lock:
            changes = self._texts[t.machine_id, t.name]
            since = self.sim_time - seconds
            first = max((i for i, (at, _) in enumerate(changes) if at <= since), default=0)
            return list(changes[first:])

    def write(self, machine_id: str, tag: str, value: Value) -> None:
        """What the PLC does when a client writes a tag: setpoints and the run coil only.

        Limits and maximum steps are the connector's and the policy's business; the PLC
        refuses only tags that are not writable and values its register cannot hold.
        """
        t = self.plant.tag(machine_id, tag)
        if not t.writable:
            writable = [n for n, x in self.plant.machine(t.machine_id).tags.items() if x.writable]
            raise Rejected(f"{t.key} is read-only; writable tags of {t.machine_id}: {', '.join(writable)}")
        stored = register_value(t, value)
        with self._lock:
            run = self._machines[t.machine_id]
            if t.modbus.type == "bool":
                run.run = bool(stored)
            else:
                run.true[t.name] = float(stored)
            run.measured = measure(run, self._effects(run, self._active_faults()))

    def set_text(self, machine_id: str, tag: str, text: str) -> None:
        """Put text into a PLC string tag (operator note, batch comment, material lot)."""
        t = self.plant.tag(machine_id, tag)
        if not t.is_text:
            texts = [n for n, x in self.plant.machine(t.machine_id).tags.items() if x.is_text]
            raise InvalidRequest(f"{t.key} is not a text tag; "
                                 f"text tags of {t.machine_id}: {', '.join(texts) or 'none'}")
        if not isinstance(text, str):
            raise InvalidRequest(f"text for {t.key} must be a string")
        room = 2 * (t.modbus.length or 0)
        if len(text.encode("utf-8")) > room:
            raise InvalidRequest(f"{t.key} holds at most {room} bytes of UTF-8 text; got {len(text.encode())}")
        if not text.isprintable():
            raise InvalidRequest(f"{t.key} holds one line of printable text (no newlines or control characters)")
        with self._lock:
            run = self._machines[t.machine_id]
            if run.text.get(t.name) != text:
                changes = self._texts[t.machine_id, t.name]
                changes.append((self.sim_time, text))
                del changes[:-TEXT_CHANGES_KEPT]
            run.text[t.name] = text
            run.measured = measure(run, self._effects(run, self._active_faults()))
