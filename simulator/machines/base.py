"""What every kind of machine shares: the model's interface, the conditions of a step, lags, ramps and penalty windows.

A model owns the physical variables and setpoints of one machine (floats in a dict
keyed by tag name). The run/fault state, counters, measurement noise, sensor drift
and alarm codes are the same for every kind and live in ``simulator.physics``.
Values follow their targets with first-order lags, so a setpoint change shows up
the way it would on a real machine: gradually.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

AMBIENT_C = 25.0


def lag(value: float, target: float, tau_s: float, dt_s: float) -> float:
    """First-order lag: exact for a target held constant over the step."""
    return target + (value - target) * math.exp(-dt_s / tau_s)


def ramp(value: float, target: float, rate_per_s: float, tau_s: float, dt_s: float) -> float:
    """A first-order lag whose rate of change is capped at ``rate_per_s`` (a heater or a cooler at full power)."""
    step = lag(value, target, tau_s, dt_s) - value
    limit = rate_per_s * dt_s
    return value + max(-limit, min(limit, step))


def window_penalty(value: float, centre: float, half_width: float, per: float, scale: float) -> float:
    """Extra defect percentage for running outside the sweet spot ``centre ± half_width`` (quadratic)."""
    excess = max(0.0, abs(value - centre) - half_width) / per
    return scale * excess * excess


@dataclass(frozen=True)
class Conditions:
    """What the run command, the faults and the material do to a machine during one step."""

    running: bool = True  # run coil on and not faulted
    wear: float = 0.0  # bearing wear, 0 (new) .. 1 (about to fail)
    temp_offset: float = 0.0  # degC a temperature loop settles away from its setpoint
    bad_material: bool = False  # the loaded material lot is off-spec
    tool_worn: float = 0.0  # how far the tool has run past its rated life, 0 (within it) .. 1 (twice it)


class MachineModel:
    """Physics of one kind of machine. Subclasses set the class attributes and ``step``."""

    kind: ClassVar[str] = ""
    setpoints: ClassVar[dict[str, float]] = {}  # initial setpoints (mid-range, as a plant runs them)
    noise: ClassVar[dict[str, float]] = {}  # analog sensors and their measurement noise (1 sigma)
    drift_tag: ClassVar[str | None] = None  # the sensor that drifts when a fault names none
    temperature_loops: ClassVar[dict[str, str]] = {}  # controlled temperature tag -> its setpoint tag
    deviation_alarms: ClassVar[dict[str, tuple[str, float, int]]] = {}  # tag -> (setpoint tag, band, code)

    def initial(self) -> dict[str, float]:
        """Setpoints plus every variable settled at its healthy running value."""
        values = {name: 0.0 for name in self.noise} | dict(self.setpoints)
        self.step(values, 1e9, Conditions())
        return values

    def step(self, v: dict[str, float], dt: float, c: Conditions) -> None:
        """Advance the variables in ``v`` by ``dt`` seconds."""

    def output_per_s(self, v: dict[str, float], c: Conditions) -> float:
        """Pieces made per second (0 for machines that do not count parts)."""
        return 0.0

    def defect_target(self, v: dict[str, float], c: Conditions) -> float:
        """Defect percentage the process tends to under these conditions."""
        return 0.0


class StaticMachine(MachineModel):
    """A machine of a kind the simulator does not model: its values hold still."""
