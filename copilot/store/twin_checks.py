"""Whether the twin was right: after a change it predicted has run, what the PLC then read (through the
historian) is set against the prediction, reading by reading (twin.accuracy.twin_error). The error is kept
with the action and is the twin's health on the KPI page: a twin that drifts from the plant needs fitting
again (`plant-copilot twin fit`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from connectors.errors import ConnectorError
from connectors.historian import HistorySource
from copilot.store.db import Location, Sql, Store
from policies.model import Prediction
from twin.accuracy import twin_error
from twin.predict import DryRun

DRIFT = 0.05  # a reading off by more than this fraction of its range, on average: time to fit the twin again

_MIGRATIONS = (
    (
        Sql("""CREATE TABLE IF NOT EXISTS twin_checks (
            action_id TEXT PRIMARY KEY,
            machine_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            started_s DOUBLE PRECISION NOT NULL,  -- the historian's clock when the change ran
            started_at DOUBLE PRECISION NOT NULL,  -- the wall clock
            run TEXT NOT NULL,  -- the twin's dry run (twin.predict.DryRun as JSON)
            status TEXT NOT NULL,
            errors TEXT,  -- reading -> {rmse, fraction, samples}
            measured_at DOUBLE PRECISION
        )"""),
    ),
)


class CheckStatus(StrEnum):
    """Where a twin check stands."""

    waiting = "waiting"  # the horizon has not passed yet
    measured = "measured"
    unmeasured = "unmeasured"  # the historian had nothing for it


@dataclass(frozen=True)
class TwinCheck:
    """How well the twin predicted one change: each reading's error against the historian."""

    action_id: str
    machine_id: str
    tag: str
    started_at: float
    status: CheckStatus
    errors: dict[str, dict[str, float]]  # reading -> rmse (its unit), fraction (of its range), samples

    @property
    def worst(self) -> float | None:
        """The largest error of its readings, as a fraction of the reading's range."""
        return max((e["fraction"] for e in self.errors.values()), default=None)


class TwinChecks(Store):
    """Changes that ran with a prediction, measured against the historian once their horizon has
    passed."""

    store, migrations = "twin_checks", _MIGRATIONS

    def __init__(self, location: Location) -> None:
        super().__init__(location)

    async def start(self, history: HistorySource, action_id: str, prediction: Prediction | None) -> None:
        """Remember a change that ran with a prediction; its clock is the historian's newest sample now."""
        if prediction is None or not prediction.modelled or not prediction.run:
            return
        run = DryRun.model_validate(prediction.run)
        try:
            samples = await history.samples(run.machine, run.trajectories[0].reading, 2)
        except ConnectorError:
            return  # no clock to measure against: the check is left out rather than misplaced
        if not samples:
            return
        self._db.execute("INSERT INTO twin_checks VALUES (?,?,?,?,?,?,?,NULL,NULL) ON CONFLICT (action_id) DO NOTHING",
                         (action_id, run.machine, run.tag, samples[-1][0], time.time(), json.dumps(prediction.run),
                          str(CheckStatus.waiting)))

    async def measure(self, history: HistorySource) -> list[TwinCheck]:
        """Measure every waiting check whose horizon has passed on the historian's clock."""
        done: list[TwinCheck] = []
        for row in self._db.all("SELECT * FROM twin_checks WHERE status = ?", (str(CheckStatus.waiting),)):
            run = DryRun.model_validate_json(row["run"])
            try:
                actual = {t.reading: await history.samples(run.machine, t.reading, run.minutes + 5)
                          for t in run.trajectories}
            except ConnectorError:
                continue  # the next pass tries again
            newest = max((s[-1][0] for s in actual.values() if s), default=None)
            if newest is None or newest < row["started_s"] + run.minutes * 60.0:
                if newest is not None and newest < row["started_s"]:  # the historian's clock went back: a reset plant
                    self._finish(row["action_id"], CheckStatus.unmeasured, {})
                continue
            errors = {r: {"rmse": e.rmse, "fraction": e.fraction, "samples": e.samples}
                      for r, e in twin_error(run, actual, since_s=row["started_s"]).items()}
            self._finish(row["action_id"], CheckStatus.measured if errors else CheckStatus.unmeasured, errors)
            done.append(self.get(row["action_id"]))
        return done

    def _finish(self, action_id: str, status: CheckStatus, errors: dict[str, Any]) -> None:
        self._db.execute("UPDATE twin_checks SET status = ?, errors = ?, measured_at = ? WHERE action_id = ?",
                         (str(status), json.dumps(errors), time.time(), action_id))

    def get(self, action_id: str) -> TwinCheck | None:
        row = self._db.one("SELECT * FROM twin_checks WHERE action_id = ?", (action_id,))
        return None if row is None else _check(row)

    def dry_run_of(self, action_id: str) -> tuple[float, DryRun] | None:
        """The dry run a change was measured against, and when it ran on the historian's clock."""
        row = self._db.one("SELECT started_s, run FROM twin_checks WHERE action_id = ?", (action_id,))
        return None if row is None else (row["started_s"], DryRun.model_validate_json(row["run"]))

    def listed(self, since: float = 0.0) -> list[TwinCheck]:
        rows = self._db.all("SELECT * FROM twin_checks WHERE started_at >= ? ORDER BY started_at", (since,))
        return [_check(r) for r in rows]


def _check(row: Any) -> TwinCheck:
    return TwinCheck(row["action_id"], row["machine_id"], row["tag"], row["started_at"], CheckStatus(row["status"]),
                     json.loads(row["errors"] or "{}"))
