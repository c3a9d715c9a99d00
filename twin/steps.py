"""Finding the changes in a historian's series, and cutting the windows a model is fitted on.

A change is where an input's recorded value differs from the sample before and then holds. It is dated at
the last sample that still shows the old value (the change came after it), so a fitted dead time is never
negative; on a historian sampled every ``Δ`` seconds it may carry up to ``Δ`` of the sampling. A change's
window runs until the next change of any input of the same machine, so a window shows one cause only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from connectors.plant import RUN_TAG, Machine
from twin.model import Change

Samples = Sequence[tuple[float, float]]
"""Historian samples ``(seconds, value)``, oldest first."""

MIN_HOLD_S = 300.0  # a change held for less than this shows too little of the response to fit
BASELINE_S = 120.0  # the reading's level before a change: its mean over this long
MAX_WINDOW_S = 3600.0  # the longest stretch after a change that a fit uses
_MIN_BASELINE_SAMPLES = 3


@dataclass(frozen=True)
class InputStep:
    """One change of an input, from ``old`` to ``new`` after ``at_s``, held until ``until_s``."""

    machine: str
    input: str
    change: Change
    at_s: float
    old: float
    new: float
    until_s: float


@dataclass(frozen=True)
class Window:
    """A reading after one change: ``t`` seconds since the change (all > 0), ``y`` its values, ``before`` its level."""

    step: InputStep
    t: np.ndarray
    y: np.ndarray
    before: float


def as_arrays(samples: Samples) -> tuple[np.ndarray, np.ndarray]:
    """``(time, value)`` samples as two float arrays, times and values (both empty for no samples)."""
    data = np.asarray(samples, dtype=float).reshape(-1, 2)
    return data[:, 0], data[:, 1]


def inputs_of(machine: Machine) -> list[str]:
    """The machine's inputs a twin models: its setpoints, and its run command if it has one."""
    return [t.name for t in machine.setpoints] + ([RUN_TAG] if RUN_TAG in machine.tags else [])


def _changes(samples: Samples) -> list[tuple[float, float, float]]:
    """``(at_s, old, new)`` for each sample whose value differs from the one before."""
    t, v = as_arrays(samples)
    moved = np.flatnonzero(np.abs(np.diff(v)) > 1e-9 * np.maximum(1.0, np.abs(v[:-1])))
    return [(float(t[i]), float(v[i]), float(v[i + 1])) for i in moved]


def find_steps(machine: Machine, history: dict[str, Samples], min_hold_s: float = MIN_HOLD_S) -> list[InputStep]:
    """Every change of the machine's inputs in ``history`` (tag -> samples) that holds for ``min_hold_s``.

    A setpoint change while the machine is stopped is left out: the models are of a running machine.
    """
    found: list[tuple[float, str, float, float]] = []
    ends: list[float] = []
    for name in inputs_of(machine):
        if len(history.get(name, ())) < 2:
            continue
        for at, old, new in _changes(history[name]):
            found.append((at, name, old, new))
        ends.append(float(history[name][-1][0]))
    if not found:
        return []
    found.sort()
    end = min(ends)
    run = as_arrays(history[RUN_TAG]) if len(history.get(RUN_TAG, ())) else None
    steps: list[InputStep] = []
    for i, (at, name, old, new) in enumerate(found):
        until = found[i + 1][0] if i + 1 < len(found) else end
        if until - at < min_hold_s:
            continue
        if name == RUN_TAG:
            change = Change.start if new > old else Change.stop
        else:
            change = Change.setpoint
            if run is not None and _stopped_between(run, at - BASELINE_S, until):
                continue
        steps.append(InputStep(machine.id, name, change, at, old, new, until))
    return steps


def _stopped_between(run: tuple[np.ndarray, np.ndarray], start: float, end: float) -> bool:
    t, v = run
    inside = (t >= start) & (t <= end)
    return bool(np.any(v[inside] < 0.5))


def window(step: InputStep, reading: Samples, max_window_s: float = MAX_WINDOW_S) -> Window | None:
    """The reading after ``step``, with its level before; None if the history has too little of either."""
    t, y = as_arrays(reading)
    pre = (t > step.at_s - BASELINE_S) & (t <= step.at_s)
    post = (t > step.at_s) & (t <= min(step.until_s, step.at_s + max_window_s))
    if pre.sum() < _MIN_BASELINE_SAMPLES or post.sum() < _MIN_BASELINE_SAMPLES:
        return None
    return Window(step, t[post] - step.at_s, y[post], float(np.mean(y[pre])))
