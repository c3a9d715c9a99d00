"""The dry run: what a proposed setpoint change, start or stop would do, before anyone signs it off.

Pure and fast (no I/O; well under a millisecond per reading): from the live readings, each modelled reading
moves by the model's final change along its step response. A change the twin has no model for says so, and
why, rather than inventing a trajectory. The prediction assumes the machine is at rest at its live values; a
previous change still settling is not carried on (its remainder is an error the accuracy check will show).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict

from connectors.errors import NotFound
from connectors.plant import RUN_TAG, Machine, Tag
from twin.errors import BadChange
from twin.model import AnyModel, Change, Reason, SetpointModel, Twin, setpoint_offset, tag_range

SETTLED_WITHIN = 0.02  # settled: within 2 % of the final change of where it ends up, and staying there
FINE_STEP_S = 1.0  # settle times and alarm crossings are found on this grid


class Limit(StrEnum):
    """Which alarm limit of a reading a predicted course passes."""

    high = "high"
    low = "low"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Alarm(_Frozen):
    """A reading that would pass its alarm limit (from the plant file), and when."""

    reading: str
    limit: Limit
    value: float  # the limit
    minute: float  # minutes after the change; 0 with ``already``: it is past the limit now
    already: bool = False


class Trajectory(_Frozen):
    """One reading's predicted course: ``values`` at ``times_s`` after the change, from ``start`` to ``final``."""

    reading: str
    unit: str
    start: float
    final: float
    settle_s: float | None  # None: not settled within the horizon
    times_s: tuple[float, ...]
    values: tuple[float, ...]
    span: float  # the reading's range in the plant file
    model: AnyModel

    def at(self, t_s: np.ndarray) -> np.ndarray:
        """The prediction at any seconds after the change (exactly, not interpolated)."""
        return self.start + (self.final - self.start) * self.model.unit_step(np.asarray(t_s, dtype=float))


class DryRun(_Frozen):
    """The predicted effect of one change on one machine."""

    machine: str
    tag: str
    change: Change
    old: float
    new: float
    minutes: float
    modelled: bool
    why: str = ""  # when not modelled: why not
    trajectories: tuple[Trajectory, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    unaffected: tuple[str, ...] = ()  # readings the history shows do not follow this input
    unknown: tuple[str, ...] = ()  # readings the twin cannot say anything about (counters, no range, no live value)

    @property
    def settle_s(self) -> float | None:
        """When the last affected reading settles; None if one does not within the horizon."""
        times = [t.settle_s for t in self.trajectories]
        return None if any(t is None for t in times) else max(times, default=0.0)


def _change_of(machine: Machine, tag: Tag, new: float) -> Change:
    if tag.is_run_command:
        return Change.start if new >= 0.5 else Change.stop
    if tag.is_setpoint:
        return Change.setpoint
    writable = ", ".join(t.name for t in machine.tags.values() if t.writable) or "none"
    raise BadChange(f"{tag.key} is not a setpoint or the run command; what {machine.id} can be changed by: {writable}")


def _live(live: Mapping[str, float], name: str) -> float | None:
    value = live.get(name)
    if value is None or isinstance(value, str) or not math.isfinite(float(value)):
        return None
    return float(value)


def _not_modelled(twin: Twin, machine: Machine, tag: str, change: Change) -> str:
    whole = [n for n in twin.not_fitted_for(machine.id, tag, change) if n.reading is None]
    if whole:
        return f"the twin has no model of a {change.label} of {machine.id}.{tag}: {whole[0].detail}"
    return f"the twin has no model of a {change.label} of {machine.id}.{tag} (not in the twin file; fit it again)"


def _trajectory(model: AnyModel, tag: Tag, start: float, final: float, span: float,
                horizon_s: float, step_s: float, change: Change) -> tuple[Trajectory, list[Alarm]]:
    fine = np.arange(0.0, horizon_s + FINE_STEP_S / 2, FINE_STEP_S)
    values = start + (final - start) * model.unit_step(fine)
    off = np.flatnonzero(np.abs(values - final) > SETTLED_WITHIN * abs(final - start))
    if off.size == 0:
        settle: float | None = 0.0
    elif off[-1] + 1 < fine.size:
        settle = float(fine[off[-1] + 1])
    else:
        settle = None
    alarms = []
    limits = [(Limit.high, tag.alarm_high, values > (tag.alarm_high or 0.0))]
    if change is not Change.stop:  # a stopped machine's pressure is low by design, not in alarm
        limits.append((Limit.low, tag.alarm_low, values < (tag.alarm_low or 0.0)))
    for kind, limit, beyond in limits:
        if limit is not None and beyond.any():
            first = int(np.argmax(beyond))
            alarms.append(Alarm(reading=tag.name, limit=kind, value=limit, minute=round(fine[first] / 60.0, 2),
                                already=first == 0))
    coarse = np.arange(0.0, horizon_s + step_s / 2, step_s)
    trajectory = Trajectory(reading=tag.name, unit=tag.unit, start=start, final=final, settle_s=settle,
                            times_s=tuple(coarse.tolist()),
                            values=tuple((start + (final - start) * model.unit_step(coarse)).tolist()),
                            span=span, model=model)
    return trajectory, alarms


def predict(twin: Twin, machine: str, tag: str, new_value: float, live: Mapping[str, float],
            minutes: float = 30.0, *, step_s: float = 10.0) -> DryRun:
    """Predict ``minutes`` after writing ``new_value`` to ``machine.tag``, starting from ``live`` (tag -> value).

    ``live`` holds the machine's current readings, the current value of ``tag`` and its run command.
    Raises ``BadChange`` for an unknown machine or tag, a read-only tag, or live values without ``tag``.
    """
    try:
        spec = twin.plant.tag(machine, tag)
    except NotFound as exc:
        raise BadChange(str(exc)) from None
    m = twin.plant.machine(spec.machine_id)
    if isinstance(new_value, bool | str) or not math.isfinite(float(new_value)) or minutes <= 0 or step_s <= 0:
        raise BadChange(f"a dry run of {spec.key} needs a finite number and a positive horizon, "
                        f"not {new_value!r} over {minutes!r} min")
    new = float(new_value)
    change = _change_of(m, spec, new)
    old = _live(live, spec.name)
    if old is None:
        raise BadChange(f"the live values of {m.id} lack {spec.name}, which the prediction starts from")
    base = dict(machine=m.id, tag=spec.name, change=change, old=old, new=new, minutes=minutes)
    running = _live(live, RUN_TAG)
    if change is Change.setpoint and running is not None and running < 0.5:
        return DryRun(**base, modelled=False,
                      why=f"{m.id} is stopped; the twin's setpoint models are of a running machine")
    if change is not Change.setpoint and (old >= 0.5) == (change is Change.start):
        return DryRun(**base, modelled=False, why=f"{m.id} is already {'running' if old >= 0.5 else 'stopped'}")
    models = twin.models_for(m.id, spec.name, change)
    if not models:
        return DryRun(**base, modelled=False, why=_not_modelled(twin, m, spec.name, change))
    trajectories, alarms, unknown = [], [], []
    for model in models:
        reading = m.tags[model.reading]
        start = _live(live, reading.name)
        if start is None:
            unknown.append(reading.name)
            continue
        if isinstance(model, SetpointModel):
            moved = model.final_change(old, new)
        else:
            moved = model.final_change(start, setpoint_offset(twin.models, m.id, reading.name, live))
        final = start + moved
        trajectory, crossed = _trajectory(model, reading, start, final, tag_range(reading) or 1.0, minutes * 60.0,
                                          step_s, change)
        trajectories.append(trajectory)
        alarms += crossed
    left = twin.not_fitted_for(m.id, spec.name, change)
    unaffected = tuple(n.reading for n in left if n.reason is Reason.no_response and n.reading)
    unknown += [n.reading for n in left if n.reason is not Reason.no_response and n.reading]
    return DryRun(**base, modelled=True, trajectories=tuple(trajectories), alarms=tuple(alarms),
                  unaffected=unaffected, unknown=tuple(unknown))
