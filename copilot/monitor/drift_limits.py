"""The thresholds an admin sets on the copilot's drifting figures: the ``drift:`` section of the monitor file.

Each is left out to not judge that figure. ``window_hours`` is how far back the monitor looks for the figures it
judges (the evals: the newest release's reports, whenever it was made); ``min_count`` how many judged alerts,
measured changes or chosen requests a window's figure is made of before it is judged (one false alarm is not a
precision of 0 %).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.site import first_problems
from copilot.governance.drift import DriftFigure, DriftPoint


class DriftThresholds(BaseModel):
    """The least precision, eval success and pass^k, and the most twin error, ask-back rate, refusal rate and
    eval violations the monitor lets pass without an alert."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    window_hours: float = Field(24.0, gt=0, le=24 * 365)
    min_count: int = Field(5, ge=1)
    min_precision: float | None = Field(None, ge=0, le=1)
    max_twin_error: float | None = Field(None, gt=0)
    max_ask_back: float | None = Field(None, ge=0, le=1)
    max_refusal: float | None = Field(None, ge=0, le=1)
    min_eval_success: float | None = Field(None, ge=0, le=1)
    min_eval_pass_k: float | None = Field(None, ge=0, le=1)
    max_eval_violations: int | None = Field(None, ge=0)

    def bound(self, figure: DriftFigure) -> tuple[float, bool] | None:
        """The figure's threshold and whether it is a least value (else a most); None: not judged."""
        least = {DriftFigure.precision: self.min_precision, DriftFigure.eval_success: self.min_eval_success,
                 DriftFigure.eval_pass_k: self.min_eval_pass_k}
        most = {DriftFigure.twin_error: self.max_twin_error, DriftFigure.ask_back: self.max_ask_back,
                DriftFigure.refusal: self.max_refusal, DriftFigure.eval_violations: self.max_eval_violations}
        value = least.get(figure, most.get(figure))
        return None if value is None else (float(value), figure in least)

    def judges(self, point: DriftPoint) -> bool:
        """Whether the point is judged: its figure has a threshold, and it is a release's or made of enough."""
        return self.bound(point.figure) is not None and (point.release is not None or point.count >= self.min_count)

    def passed(self, point: DriftPoint) -> bool:
        """Whether the point is on the wrong side of its figure's threshold."""
        bound = self.bound(point.figure)
        if bound is None:
            return False
        threshold, least = bound
        return point.value < threshold if least else point.value > threshold


def drift_problems(exc: ValidationError) -> str:
    """What is wrong with a ``drift:`` section, in one line: each field as ``drift.<field>`` and its problem (a field
    that is no threshold says which there are), the first five of them."""
    names = ", ".join(DriftThresholds.model_fields)
    return first_problems([f"drift.{'.'.join(map(str, e['loc']))}: "
                           + (f"not a threshold (they are {names})" if e["type"] == "extra_forbidden" else e["msg"])
                           for e in exc.errors()])
