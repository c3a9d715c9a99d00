"""After a change has run: how far its dry run was from what the readings actually did (the twin's error)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.predict import DryRun
from twin.steps import Samples, as_arrays


@dataclass(frozen=True)
class ReadingError:
    """One reading's prediction error over the samples inside the dry run's horizon."""

    reading: str
    rmse: float  # in the reading's unit
    fraction: float  # rmse as a fraction of the reading's range in the plant file
    samples: int


def twin_error(dry_run: DryRun, actual: Mapping[str, Samples], *, since_s: float = 0.0) -> dict[str, ReadingError]:
    """Per predicted reading, the RMSE of the prediction against ``actual`` (reading -> samples).

    Sample times are on the historian's clock and the change was made at ``since_s`` on it; samples before
    the change or past the horizon are left out, and so is a reading with none left.
    """
    errors: dict[str, ReadingError] = {}
    for trajectory in dry_run.trajectories:
        samples = actual.get(trajectory.reading, ())
        if not samples:
            continue
        t, y = as_arrays(samples)
        t = t - since_s
        inside = (t >= 0) & (t <= dry_run.minutes * 60.0)
        if not inside.any():
            continue
        rmse = float(np.sqrt(np.mean((trajectory.at(t[inside]) - y[inside]) ** 2)))
        errors[trajectory.reading] = ReadingError(trajectory.reading, rmse, rmse / trajectory.span, int(inside.sum()))
    return errors
