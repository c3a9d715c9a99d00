"""Identifying the models from the historian: find the changes, cut their windows, fit each pair by least squares.

For each input of a machine (a setpoint, or the run command as starts and stops) and each numeric reading of
it, the windows after every change are pooled and fitted together with ``scipy.optimize.least_squares``.
The amplitudes (gain, curvature, level) enter linearly and are solved exactly for each trial of the lags and
the dead time (variable projection), so the search is over two to four numbers and starts from a coarse grid.

The first-order-plus-dead-time model comes first. A richer one (a curved gain, a second lag with a lead) is
kept only if it cuts the fit's error by ``RICHER_MUST_CUT``: the data has to call for it. A reading is paired
with an input only if the best model cuts the error of "the reading stays where it was" by ``PAIR_MUST_CUT``;
otherwise the twin records that the reading does not respond, which is itself worth knowing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from scipy.optimize import least_squares

from connectors.plant import RUN_TAG, Machine, Plant, Tag
from twin.model import (
    Change,
    FitPeriod,
    NotFitted,
    Reason,
    RunModel,
    SetpointModel,
    Structure,
    Twin,
    setpoint_offset,
    tag_range,
)
from twin.steps import MIN_HOLD_S, InputStep, Samples, Window, as_arrays, find_steps, inputs_of, window

RICHER_MUST_CUT = 0.10  # a richer model must have at least 10 % less error than the simpler one it replaces
PAIR_MUST_CUT = 0.30  # a reading follows an input if the model has at least 30 % less error than no response
MAX_POINTS_PER_WINDOW = 600  # longer windows are thinned evenly: the fit's cost grows with the points
_TAU_BOUNDS_S = (0.2, 20_000.0)
_DEAD_MAX_S = 600.0
_WEIGHT_BOUND = 200.0  # |weight of the slow lag|: a lead up to 200 times the lag difference

History = Mapping[str, Mapping[str, Samples]]
"""machine -> tag -> historian samples ``(seconds, value)``, oldest first."""


@dataclass(frozen=True)
class _Stack:
    """The windows of one pair, concatenated: seconds since the change, values, and each sample's window."""

    t: np.ndarray
    y: np.ndarray
    before: np.ndarray  # the reading's level before the change, per sample
    du: np.ndarray  # the input's change (new − old), per sample
    dq: np.ndarray  # the change of (input − around)², per sample
    offset: np.ndarray  # after a start: how far the setpoints of the time move the running level, per sample


@dataclass(frozen=True)
class _Fit:
    structure: Structure
    curved: bool
    tau: float
    tau2: float
    weight: float  # of the tau lag, the tau2 lag has 1 − weight
    dead: float
    beta: np.ndarray  # the linear amplitudes
    rmse: float


def _stack(windows: list[Window], around: float, offsets: list[float]) -> _Stack:
    parts = []
    for w, offset in zip(windows, offsets, strict=True):
        stride = max(1, math.ceil(len(w.t) / MAX_POINTS_PER_WINDOW))
        t, y = w.t[::stride], w.y[::stride]
        s = w.step
        dq = (s.new - around) ** 2 - (s.old - around) ** 2
        parts.append((t, y, np.full_like(t, w.before), np.full_like(t, s.new - s.old), np.full_like(t, dq),
                      np.full_like(t, offset)))
    return _Stack(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _lag(t: np.ndarray, tau: float, dead: float) -> np.ndarray:
    s = t - dead
    return np.where(s > 0, -np.expm1(-np.maximum(s, 0.0) / tau), 0.0)


class _Problem:
    """One pair's windows and how a trial of the dynamics turns into residuals (setpoint and run changes differ)."""

    def __init__(self, stack: _Stack, change: Change) -> None:
        self.s, self.change = stack, change

    def design(self, h: np.ndarray, *, curved: bool) -> tuple[np.ndarray, np.ndarray]:
        """The target and the columns of the linear amplitudes, for a unit step response ``h``."""
        s = self.s
        if self.change is Change.setpoint:
            columns = [s.du * h, s.dq * h] if curved else [s.du * h]
            return s.y - s.before, np.column_stack(columns)
        return s.y - s.before + (s.before - s.offset) * h, h[:, None]  # to `level` (+ offset) from where it was

    def design_two_paths(self, h1: np.ndarray, h2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Two lags with amplitudes of their own (a setpoint's linear gain only): the lead comes for free."""
        s = self.s
        return s.y - s.before, np.column_stack([s.du * h1, s.du * h2])

    @staticmethod
    def solve(target: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        beta, *_ = np.linalg.lstsq(columns, target, rcond=None)
        return target - columns @ beta, beta

    def no_response_rmse(self) -> float:
        return float(np.sqrt(np.mean((self.s.y - self.s.before) ** 2)))


def _search(residuals: Callable[[np.ndarray], np.ndarray], starts: list[np.ndarray],
            lower: list[float], upper: list[float]) -> np.ndarray:
    """The best of a grid of starts, refined by least squares within the bounds."""
    best = min(starts, key=lambda p: float(np.sum(residuals(p) ** 2)))
    return least_squares(residuals, np.clip(best, lower, upper), bounds=(lower, upper), x_scale="jac").x


def _log_taus(n: int) -> np.ndarray:
    return np.linspace(math.log(0.5), math.log(3000.0), n)


_LOG_TAU = [math.log(b) for b in _TAU_BOUNDS_S]


def _fit_fopdt(p: _Problem, *, curved: bool) -> _Fit:
    def residuals(x: np.ndarray) -> np.ndarray:
        return p.solve(*p.design(_lag(p.s.t, math.exp(x[0]), x[1]), curved=curved))[0]

    starts = [np.array([lt, dead]) for lt in _log_taus(14) for dead in (0.0, 5.0, 30.0)]
    x = _search(residuals, starts, [_LOG_TAU[0], 0.0], [_LOG_TAU[1], _DEAD_MAX_S])
    res, beta = p.solve(*p.design(_lag(p.s.t, math.exp(x[0]), x[1]), curved=curved))
    return _Fit(Structure.fopdt, curved, math.exp(x[0]), 0.0, 1.0, float(x[1]), beta, _rms(res))


def _fit_two_lags(p: _Problem, *, curved: bool, start: _Fit | None) -> _Fit:
    """Two lags; a setpoint's linear gain gets an amplitude per lag, otherwise the lags' weights are searched."""
    free_amplitudes = p.change is Change.setpoint and not curved

    def shape(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _lag(p.s.t, math.exp(x[0]), x[2]), _lag(p.s.t, math.exp(x[1]), x[2])

    def system(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h1, h2 = shape(x)
        if free_amplitudes:
            return p.design_two_paths(h1, h2)
        return p.design(x[3] * h1 + (1.0 - x[3]) * h2, curved=curved)

    def residuals(x: np.ndarray) -> np.ndarray:
        return p.solve(*system(x))[0]

    lower, upper = [_LOG_TAU[0], _LOG_TAU[0], 0.0], [_LOG_TAU[1], _LOG_TAU[1], _DEAD_MAX_S]
    grid = [(a, b) for i, a in enumerate(_log_taus(10)) for b in _log_taus(10)[:i]]
    if free_amplitudes:
        starts = [np.array([a, b, 0.0]) for a, b in grid]
    else:
        lower, upper = lower + [-_WEIGHT_BOUND], upper + [_WEIGHT_BOUND]
        starts = [np.array([a, b, 0.0, w]) for a, b in grid for w in (0.5, 1.5)]
        if start is not None and start.structure is Structure.second_order:
            starts.append(np.array([math.log(start.tau), math.log(max(start.tau2, _TAU_BOUNDS_S[0])),
                                    start.dead, start.weight]))
    x = _search(residuals, starts, lower, upper)
    res, beta = p.solve(*system(x))
    tau, tau2, dead = math.exp(x[0]), math.exp(x[1]), float(x[2])
    if free_amplitudes:
        total = float(beta.sum())
        weight = float(beta[0]) / total if abs(total) > 1e-12 else 1.0
        beta = np.array([total])
    else:
        weight = float(x[3])
    if tau2 > tau:  # the same model with the lags named the other way round
        tau, tau2, weight = tau2, tau, 1.0 - weight
    return _Fit(Structure.second_order, curved, tau, tau2, weight, dead, beta, _rms(res))


def _rms(residuals: np.ndarray) -> float:
    return float(np.sqrt(np.mean(residuals ** 2)))


def _better(richer: _Fit, simpler: _Fit) -> bool:
    return richer.rmse < (1.0 - RICHER_MUST_CUT) * simpler.rmse and not math.isclose(richer.tau, richer.tau2)


def _best_fit(p: _Problem) -> _Fit:
    """First order first; a curved gain or a second lag only where it cuts the error enough."""
    best = _fit_fopdt(p, curved=False)
    richer = []
    if p.change is Change.setpoint and np.ptp(p.s.dq) > 0:
        richer.append(_fit_fopdt(p, curved=True))
    richer.append(_fit_two_lags(p, curved=False, start=None))
    for candidate in sorted(richer, key=lambda f: f.rmse):
        if _better(candidate, best):
            best = candidate
            break
    if p.change is Change.setpoint and best.structure is Structure.second_order and not best.curved \
            and np.ptp(p.s.dq) > 0:
        curved = _fit_two_lags(p, curved=True, start=best)
        if _better(curved, best):
            best = curved
    return best


def _value_at(samples: Samples, at_s: float) -> float | None:
    """The last recorded value at or before ``at_s``."""
    if not len(samples):
        return None
    t, v = as_arrays(samples)
    i = int(np.searchsorted(t, at_s, side="right")) - 1
    return float(v[i]) if i >= 0 else None


def _is_counter(samples: Samples) -> bool:
    """A totaliser: over the whole history it never falls and it does rise."""
    _, v = as_arrays(samples)
    return len(v) > 1 and bool(np.all(np.diff(v) >= 0)) and v[-1] > v[0]


def _readings(machine: Machine) -> list[Tag]:
    """The tags a change could move: numeric, read-only, not an enumerated state."""
    return [t for t in machine.tags.values() if not t.writable and not t.is_text and t.enum is None]


def _model(fit: _Fit, step: InputStep, reading: str, around: float, rmse_pct: float,
           steps: int) -> SetpointModel | RunModel:
    lead = fit.tau - fit.weight * (fit.tau - fit.tau2) if fit.structure is Structure.second_order else 0.0
    common = dict(machine=step.machine, input=step.input, reading=reading, structure=fit.structure,
                  tau_s=_seconds(fit.tau), tau2_s=_seconds(fit.tau2), lead_s=_seconds(lead),
                  dead_time_s=_seconds(fit.dead),
                  rmse=_round(fit.rmse), rmse_pct=round(rmse_pct, 3), steps=steps)
    if step.change is Change.setpoint:
        curvature = float(fit.beta[1]) if fit.curved else 0.0
        return SetpointModel(**common, gain=_round(float(fit.beta[0])), curvature=_round(curvature),
                             around=_round(around))
    return RunModel(**common, change=step.change, level=_round(float(fit.beta[0])))


def _round(x: float, digits: int = 5) -> float:
    """Enough significant digits for a person to read and the predictions to keep."""
    return float(f"{x:.{digits}g}") if x else 0.0


def _seconds(x: float) -> float:
    """A time to the hundredth of a second (a fitted dead time of 1e-14 s is none)."""
    return _round(round(x, 2))


def fit_pair(steps: list[InputStep], reading: str, samples: Samples, span: float,
             offset: Callable[[InputStep], float] | None = None) -> SetpointModel | RunModel | Reason:
    """The model of one reading after ``steps`` (all of one input and change), or why there is none.

    ``offset`` gives, for a start, how far the setpoints of its time move the reading's running level.
    """
    windows = [w for s in steps if (w := window(s, samples)) is not None]
    if not windows:
        return Reason.no_changes
    around = float(np.mean([v for s in steps for v in (s.old, s.new)]))
    offsets = [offset(w.step) if offset else 0.0 for w in windows]
    problem = _Problem(_stack(windows, around, offsets), steps[0].change)
    fit = _best_fit(problem)
    if not fit.rmse < (1.0 - PAIR_MUST_CUT) * problem.no_response_rmse():
        return Reason.no_response
    return _model(fit, steps[0], reading, around, 100.0 * fit.rmse / span, len(windows))


def _start_offset(machine: Machine, reading: str, history: Mapping[str, Samples],
                  setpoint_models: list[SetpointModel | RunModel]) -> Callable[[InputStep], float]:
    """For a start: how far the setpoints of its time move the reading's running level (by their models)."""
    def offset(step: InputStep) -> float:
        setpoints = {t.name: _value_at(history.get(t.name, ()), step.at_s) for t in machine.setpoints}
        known = {name: value for name, value in setpoints.items() if value is not None}
        return setpoint_offset(setpoint_models, machine.id, reading, known)
    return offset


def _fit_input(mine: list[InputStep], machine: Machine, history: Mapping[str, Samples],
               setpoint_models: list[SetpointModel | RunModel]
               ) -> tuple[list[SetpointModel | RunModel], list[NotFitted]]:
    """Every reading of the machine against the changes of one input (all of one kind).

    A start's level is fitted net of the setpoints of its time, through the setpoint models already fitted.
    """
    models: list[SetpointModel | RunModel] = []
    missing: list[NotFitted] = []
    first = mine[0]
    for tag in _readings(machine):
        samples = history.get(tag.name, ())
        span = tag_range(tag)
        if span is None:
            found: SetpointModel | RunModel | Reason = Reason.no_range
        elif _is_counter(samples):
            found = Reason.counter
        else:
            offset = (_start_offset(machine, tag.name, history, setpoint_models) if first.change is Change.start
                      else None)
            found = fit_pair(mine, tag.name, samples, span, offset)
        if isinstance(found, Reason):
            missing.append(NotFitted(machine=machine.id, input=first.input, change=first.change, reading=tag.name,
                                     reason=found, detail=_DETAIL[found]))
        else:
            models.append(found)
    return models, missing


_DETAIL = {
    Reason.no_changes: "no window of the reading after the changes (gaps in its history)",
    Reason.no_response: f"the best fit cuts the error of 'no change' by less than {PAIR_MUST_CUT:.0%}",
    Reason.counter: "a counter (it only rises); the twin models levels, not totals",
    Reason.no_range: "the plant file gives it no min and max",
}


def fit_machine(machine: Machine, history: Mapping[str, Samples], min_hold_s: float = MIN_HOLD_S
                ) -> tuple[list[SetpointModel | RunModel], list[NotFitted]]:
    """The models of one machine from its history (tag -> samples), and the pairs left without one."""
    steps = find_steps(machine, history, min_hold_s)
    models: list[SetpointModel | RunModel] = []
    missing: list[NotFitted] = []
    for name in inputs_of(machine):
        for change in (Change.start, Change.stop) if name == RUN_TAG else (Change.setpoint,):
            mine = [s for s in steps if (s.input, s.change) == (name, change)]
            if not mine:
                missing.append(NotFitted(machine=machine.id, input=name, change=change, reason=Reason.no_changes,
                                         detail=f"no {change.label} held {min_hold_s / 60:g} min or longer "
                                                "in the history"))
                continue
            found, left = _fit_input(mine, machine, history, models)
            models += found
            missing += left
    return models, missing


def fit_twin(plant: Plant, history: History, *, source: str = "", min_hold_s: float = MIN_HOLD_S) -> Twin:
    """Fit every machine in ``history`` (machine -> tag -> samples); machines it lacks are left out."""
    models: list[SetpointModel | RunModel] = []
    missing: list[NotFitted] = []
    times: list[float] = []
    for machine in plant.machines.values():
        if machine.id not in history:
            continue
        found, left = fit_machine(machine, history[machine.id], min_hold_s)
        models += found
        missing += left
        times += [x for samples in history[machine.id].values() if samples for x in (samples[0][0], samples[-1][0])]
    period = FitPeriod(from_s=min(times, default=0.0), to_s=max(times, default=0.0),
                       fitted_at=datetime.now(UTC).isoformat(timespec="seconds"), source=source)
    return Twin(plant=plant, period=period, models=tuple(models), not_fitted=tuple(missing))
