"""What the twin knows: per machine, how each reading responds to each of its inputs (a setpoint, a start, a stop).

A model is a static part (how far the reading moves in the end) and a dynamic part (how it gets there): the
transfer function ``(lead·s + 1) / ((tau·s + 1)(tau2·s + 1)) · e^(−dead_time·s)`` with unit gain. With
``tau2 = lead = 0`` it is the first-order-plus-dead-time model process engineers start from; the second-order
form is kept only where the history shows the first order falls short (a reading that overshoots, like a
heater's power kicking up after a setpoint rise, or one that follows a slower reading, like a mould's
temperature behind its barrel's). The static part of a setpoint may curve (a pump's pressure grows with the
square of its speed) when the history holds steps at different operating points that show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.plant import Plant, Tag


class Structure(StrEnum):
    """The shape of a fitted model's dynamics."""

    fopdt = "fopdt"  # one lag and a dead time
    second_order = "second_order"  # two lags, a lead and a dead time


class Change(StrEnum):
    """The kind of change a model predicts the effect of."""

    setpoint = "setpoint"  # a setpoint written to a new value
    start = "start"  # the run command set to 1
    stop = "stop"  # the run command set to 0

    @property
    def label(self) -> str:
        """In a sentence: "a setpoint change", "a start"."""
        return "setpoint change" if self is Change.setpoint else self.value


class Reason(StrEnum):
    """Why a pair has no model: each is a finding, not a guess."""

    no_changes = "no_changes"  # the history holds no usable step of the input
    no_response = "no_response"  # steps are there, and the reading does not follow them
    counter = "counter"  # a totaliser that only rises: the twin models levels, not totals
    no_range = "no_range"  # the plant file gives the reading no min and max to judge an error against


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PairModel(_Strict):
    """How one reading of a machine follows one of its inputs."""

    machine: str
    input: str = Field(description="the setpoint tag, or the run tag for a start or a stop")
    reading: str
    structure: Structure
    tau_s: float = Field(gt=0, description="the main lag, seconds")
    tau2_s: float = Field(default=0.0, ge=0, description="the second lag (second order only)")
    lead_s: float = Field(default=0.0, description="the lead: above tau_s the reading overshoots, "
                                                   "below 0 it starts the wrong way")
    dead_time_s: float = Field(ge=0, description="seconds before the reading starts to move")
    rmse: float = Field(ge=0, description="fit error over the fitted windows, in the reading's unit")
    rmse_pct: float = Field(ge=0, description="the same as a percentage of the reading's range in the plant file")
    steps: int = Field(ge=1, description="how many changes in the history it was fitted from")

    @model_validator(mode="after")
    def _structure_fits(self) -> PairModel:
        if self.structure is Structure.fopdt and (self.tau2_s or self.lead_s):
            raise ValueError("a fopdt model has no tau2_s or lead_s (use structure: second_order)")
        if self.structure is Structure.second_order and not self.tau_s > self.tau2_s:
            raise ValueError("a second-order model needs tau_s > tau2_s")
        return self

    def unit_step(self, t: np.ndarray) -> np.ndarray:
        """The response to a unit step at ``t = 0`` (seconds): 0 before the dead time, 1 when settled."""
        return unit_step(t, self.tau_s, self.tau2_s, self.lead_s, self.dead_time_s)


class SetpointModel(PairModel):
    """A setpoint's effect: the reading settles ``f(new) − f(old)`` away from where it was, with
    ``f(u) = gain·(u−around) + curvature·(u−around)²``."""

    change: Literal[Change.setpoint] = Change.setpoint
    gain: float = Field(description="reading units per setpoint unit, at `around`")
    curvature: float = Field(default=0.0, description="how the gain grows per setpoint unit, halved (0: linear)")
    around: float = Field(description="the setpoint value the gain is given at (the middle of the fitted steps)")

    def final_change(self, old: float, new: float) -> float:
        a = self.around
        return self.gain * (new - old) + self.curvature * ((new - a) ** 2 - (old - a) ** 2)


class RunModel(PairModel):
    """A start's or a stop's effect: the reading settles at a level (running, or at rest), from wherever it was.

    After a stop it is ``level``. After a start it is ``level`` with the setpoints at their models' ``around``,
    moved by what the setpoints are now (the same reading's setpoint models): a filler starts to the speed
    it is set to, not to the speed it ran at in the history.
    """

    change: Literal[Change.start, Change.stop]
    level: float = Field(description="where the reading settles after the stop, or the start (setpoints at around)")

    def final_change(self, before: float, setpoint_offset: float = 0.0) -> float:
        return self.level + (setpoint_offset if self.change is Change.start else 0.0) - before


AnyModel = Annotated[SetpointModel | RunModel, Field(discriminator="change")]


def setpoint_offset(models: Iterable[SetpointModel | RunModel], machine_id: str, reading: str,
                    setpoints: Mapping[str, float]) -> float:
    """How far the setpoints, as they are, move a running reading from where it runs at their ``around``."""
    return sum(m.final_change(m.around, setpoints[m.input]) for m in models
               if isinstance(m, SetpointModel) and (m.machine, m.reading) == (machine_id, reading)
               and m.input in setpoints)


class NotFitted(_Strict):
    """A pair (or a whole input, ``reading: null``) the twin has no model for, and why."""

    machine: str
    input: str
    change: Change
    reading: str | None = None
    reason: Reason
    detail: str = ""


class FitPeriod(_Strict):
    """Which stretch of the historian the models come from (its own clock, seconds) and when they were fitted."""

    from_s: float
    to_s: float
    fitted_at: str = Field(description="wall-clock time of the fit, ISO 8601")
    source: str = Field(default="", description="where the history came from (the historian, in one line)")


@dataclass(frozen=True)
class Twin:
    """The fitted models of one plant, checked against its plant file (ranges and alarm limits come from there)."""

    plant: Plant
    period: FitPeriod
    models: tuple[SetpointModel | RunModel, ...]
    not_fitted: tuple[NotFitted, ...] = ()

    def models_for(self, machine_id: str, input_tag: str, change: Change) -> list[SetpointModel | RunModel]:
        return [m for m in self.models if (m.machine, m.input, m.change) == (machine_id, input_tag, change)]

    def not_fitted_for(self, machine_id: str, input_tag: str, change: Change) -> list[NotFitted]:
        return [n for n in self.not_fitted if (n.machine, n.input, n.change) == (machine_id, input_tag, change)]


def unit_step(t: np.ndarray, tau: float, tau2: float, lead: float, dead: float) -> np.ndarray:
    """Step response of ``(lead·s+1)/((tau·s+1)(tau2·s+1))·e^(−dead·s)``: the weighted sum of two first-order lags."""
    shifted = np.asarray(t, dtype=float) - dead
    after = shifted > 0
    s = np.where(after, shifted, 0.0)
    if tau2 == 0.0 and lead == 0.0:
        return np.where(after, -np.expm1(-s / tau), 0.0)
    weight = (tau - lead) / (tau - tau2)  # of the tau lag; the tau2 lag has 1 − weight
    fast = -np.expm1(-s / tau2) if tau2 > 0 else np.ones_like(s)
    return np.where(after, weight * -np.expm1(-s / tau) + (1.0 - weight) * fast, 0.0)


def tag_range(tag: Tag) -> float | None:
    """The span ``max − min`` the plant file gives a reading, that errors are a percentage of; None without one."""
    if tag.min is None or tag.max is None or tag.max <= tag.min:
        return None
    return tag.max - tag.min
