"""The copilot's figures over time, to see it drift: computed from what the stores keep, for any time range.

Per window (a day unless told): the monitor's precision (of the plant's alerts opened in the window that a person
judged, the share judged real), the twin's error per machine (the mean of each measured change's worst reading
error, a fraction of the reading's range, as the KPIs page reads it), and the chooser's ask-back and refusal rates
(of the runs whose procedure the model chose, the share that asked the operator back, and that was told a name the
plant lacks; a question is counted in the window it was asked). Per release made in the range: each suite's eval
success, pass^k and policy violations. Nothing is kept twice: the alerts, twin checks, audit log and releases are
the history, so it survives restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel

from copilot.governance.releases import Release
from copilot.monitor.alerts import Alerts, AlertVerdict
from copilot.procedures.run import RunState
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.releases import ReleaseStore
from copilot.store.twin_checks import CheckStatus, TwinChecks

DAY_S = 24 * 3600.0
MONITOR, CHOOSER = "monitor", "chooser"  # the subjects of the figures that are not per machine or suite
_T = TypeVar("_T")


class DriftFigure(StrEnum):
    """A figure kept over time, by the name a person reads."""

    precision = "monitor precision"
    twin_error = "twin error"
    ask_back = "ask-back rate"
    refusal = "refusal rate"
    eval_success = "eval success"
    eval_pass_k = "eval pass^k"
    eval_violations = "eval violations"

    @property
    def share(self) -> bool:
        """Whether its values are shares (shown as percentages); violations are a count."""
        return self is not DriftFigure.eval_violations


@dataclass(frozen=True)
class DriftPoint:
    """One figure of one subject (``monitor``, ``chooser``, a machine, a suite) at one time: the start of its
    window, or when its release was made; ``count``: how many judged alerts, measured changes, chosen requests or
    runs per scenario (k) it is made of."""

    figure: DriftFigure
    subject: str
    at: float
    value: float
    count: int
    release: str | None = None  # the release (short id) an eval figure is of


@dataclass(frozen=True)
class DriftHistory:
    """The figures between ``since`` and ``until``, window by window, oldest first."""

    since: float
    until: float
    window_s: float
    points: list[DriftPoint]

    def of(self, figure: DriftFigure) -> list[DriftPoint]:
        return [p for p in self.points if p.figure is figure]


@dataclass(frozen=True)
class DriftSources:
    """The stores the figures are read from."""

    alerts: Alerts
    twin_checks: TwinChecks
    audit: AuditLog
    releases: ReleaseStore

    @classmethod
    @contextmanager
    def of(cls, settings: CopilotSettings) -> Iterator[DriftSources]:
        """The stores of these settings' site, open for the block."""
        sources = cls(Alerts(settings.state_db), TwinChecks(settings.state_db), AuditLog.of(settings),
                      ReleaseStore(settings.audit_db))
        try:
            yield sources
        finally:
            for store in (sources.alerts, sources.twin_checks, sources.audit, sources.releases):
                store.close()


class _Run(BaseModel):
    """A procedure run's audit record, as the procedure node writes it: how the run began (records before drift
    was kept say nothing), or the question it asked back; and whether the model chose it."""

    began: RunState | None = None
    asked: str | None = None
    by_model: bool = False


def drift_history(sources: DriftSources, since: float, until: float, window_s: float = DAY_S) -> DriftHistory:
    """Every figure between ``since`` and ``until``, per window of ``window_s`` from ``since`` (the evals: per
    release made in the range); a window without anything to measure has no point."""
    if window_s <= 0 or until <= since:
        raise ValueError("a drift history needs a window longer than 0 and a range that ends after it begins")
    points = [*_precision(sources.alerts, since, until, window_s), *_twin_errors(sources.twin_checks, since, until,
                                                                                    window_s),
              *_chooser(sources.audit, since, until, window_s)]
    for release in map(Release.of, sources.releases.listed()):
        if since <= release.created_at < until:
            points += release_points(release)
    return DriftHistory(since, until, window_s, sorted(points, key=lambda p: (p.at, p.figure, p.subject)))


def _precision(alerts: Alerts, since: float, until: float, window_s: float) -> list[DriftPoint]:
    """Per window, the share of the judged alerts opened in it that were real."""
    return [DriftPoint(DriftFigure.precision, MONITOR, at, sum(a.verdict is AlertVerdict.confirmed for a in them)
                       / len(them), len(them))
            for at, them in _windows(alerts.judged(since, until), lambda a: a.opened_at, since, window_s)]


def _twin_errors(twin_checks: TwinChecks, since: float, until: float, window_s: float) -> list[DriftPoint]:
    """Per window and machine, the mean of the worst reading errors of the changes measured."""
    worst = [(c.started_at, c.machine_id, c.worst) for c in twin_checks.listed(since)
             if c.started_at < until and c.status is CheckStatus.measured and c.worst is not None]
    points = []
    for at, checks in _windows(worst, lambda c: c[0], since, window_s):
        for machine in sorted({m for _, m, _ in checks}):
            errors = [e for _, m, e in checks if m == machine]
            points.append(DriftPoint(DriftFigure.twin_error, machine, at, sum(errors) / len(errors), len(errors)))
    return points


def _chooser(audit: AuditLog, since: float, until: float, window_s: float) -> list[DriftPoint]:
    """Per window, of the runs whose procedure the model chose, the shares that asked the operator back (at once
    or at a decision) and that were told a name the plant lacks."""
    records = audit.records(kind=AuditKind.procedure, since=since, until=until, limit=1_000_000)
    runs = [(r.ts, run) for r in records if (run := _Run.model_validate(r.arguments or {})).by_model]
    points = []
    for at, them in _windows(runs, lambda r: r[0], since, window_s):
        chosen = [run for _, run in them if run.began is not None]
        if not chosen:
            continue
        asked = sum(run.asked is not None for _, run in them)
        refused = sum(run.began is RunState.stopped for run in chosen)
        points += [DriftPoint(DriftFigure.ask_back, CHOOSER, at, min(1.0, asked / len(chosen)), len(chosen)),
                   DriftPoint(DriftFigure.refusal, CHOOSER, at, refused / len(chosen), len(chosen))]
    return points


def release_points(release: Release) -> list[DriftPoint]:
    """A release's eval figures, suite by suite, at the time it was made."""
    return [DriftPoint(figure, s.suite, release.created_at, value, s.k, release.short)
            for s in release.figures
            for figure, value in ((DriftFigure.eval_success, s.success), (DriftFigure.eval_pass_k, s.pass_k),
                                  (DriftFigure.eval_violations, float(s.violations)))]


def _windows(items: Iterable[_T], when: Callable[[_T], float], since: float,
             window_s: float) -> list[tuple[float, list[_T]]]:
    """The items grouped by the window of ``window_s`` from ``since`` they fall in: (its start, them), in order."""
    grouped: dict[int, list[_T]] = {}
    for item in items:
        grouped.setdefault(int((when(item) - since) // window_s), []).append(item)
    return [(since + n * window_s, grouped[n]) for n in sorted(grouped)]
