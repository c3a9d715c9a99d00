"""The dry run of a PLC write, gathered with its facts: what the plant's twin (twin/) predicts the setpoint
change, start or stop will do from the machine's live readings, as the policy and the approval card see it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from connectors.plant import Plant
from policies.model import PredictedAlarm, Prediction
from twin.errors import BadChange
from twin.model import Twin
from twin.predict import DryRun, predict

HORIZON_MINUTES = 30.0
COURSE_STEP_S = 60.0  # the course kept with the action, for the approval card's chart


def prediction_of(run: DryRun, plant: Plant) -> Prediction:
    """The twin's dry run as a tool's Prediction: the readings' courses and predicted alarms, or why there is none."""
    machine = plant.machine(run.machine)
    if not run.modelled:
        return Prediction(modelled=False, why=run.why, minutes=run.minutes)
    times = np.arange(0.0, run.minutes * 60.0 + COURSE_STEP_S / 2, COURSE_STEP_S)
    courses = {t.reading: [(round(s / 60.0, 2), round(float(v), 4)) for s, v in zip(times, t.at(times), strict=True)]
               for t in run.trajectories}
    settle = run.settle_s
    return Prediction(modelled=True, minutes=run.minutes,
                      settle_minutes=None if settle is None else round(settle / 60, 1),
                      courses=courses, units={t.reading: t.unit for t in run.trajectories},
                      run=run.model_dump(mode="json"),
                      alarms=[PredictedAlarm(reading=a.reading, limit=str(a.limit), value=a.value, minute=a.minute,
                                             unit=machine.tags[a.reading].unit, already=a.already) for a in run.alarms])


def dry_run(twin: Twin | None, plant: Plant, machine_id: str, tag: str, new_value: float,
            live: Mapping[str, float]) -> Prediction:
    """The twin's prediction of writing ``new_value``, or why it has none (no twin fitted, no model)."""
    if twin is None:
        return Prediction(modelled=False, why="no twin is fitted; `plant-copilot twin fit` makes one",
                          minutes=HORIZON_MINUTES)
    try:
        run = predict(twin, machine_id, tag, new_value, live, HORIZON_MINUTES, step_s=HORIZON_MINUTES * 60.0)
        return prediction_of(run, plant)  # the run's own grid is just its ends: the courses above are kept
    except BadChange as exc:
        return Prediction(modelled=False, why=str(exc), minutes=HORIZON_MINUTES)
