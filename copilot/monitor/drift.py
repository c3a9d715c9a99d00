"""The monitor watches the copilot itself: a figure past its threshold (copilot/monitor/drift_limits.py) opens a
drift alert, one per figure and subject, cleared once the figure is back on its side.

The figures judged are the last ``window_hours`` of precision, twin error per machine and the chooser's rates,
and the newest release's eval figures per suite; a figure with too little to measure leaves its alert as it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from connectors.site import config_data
from copilot.governance.drift import DriftPoint, DriftSources, drift_history, release_points
from copilot.governance.releases import Release
from copilot.monitor.alerts import Alert, AlertKind, Alerts
from copilot.monitor.drift_limits import DriftThresholds, drift_problems
from copilot.monitor.notify import Outbox
from copilot.monitor.spec import MonitorError
from copilot.service import Copilot
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.releases import ReleaseStore

CAUSE = "drift: "  # a drift alert's cause is this and its figure


@dataclass
class DriftCheck:
    """What one drift check opened and cleared."""

    opened: list[Alert] = field(default_factory=list)
    cleared: list[Alert] = field(default_factory=list)


def drift_thresholds(path: Path) -> DriftThresholds | None:
    """The ``drift:`` section of the monitor file at ``path``; None without one. MonitorError, in one line, names
    the file and the field that is wrong."""
    raw = config_data(path, "monitor file", MonitorError) or {}
    section = raw.get("drift") if isinstance(raw, dict) else None
    if section is None:
        return None
    try:
        return DriftThresholds.model_validate(section)
    except ValidationError as exc:
        raise MonitorError(f"monitor file {path}: {drift_problems(exc)}") from None


def judged_now(sources: DriftSources, thresholds: DriftThresholds, now: float) -> list[DriftPoint]:
    """The figures the monitor judges now: the last window's, and the newest release's evals."""
    window_s = thresholds.window_hours * 3600
    points = [p for p in drift_history(sources, now - window_s, now, window_s).points if p.release is None]
    newest = sources.releases.listed()[:1]
    return points + [p for r in newest for p in release_points(Release.of(r))]


def check_drift(sources: DriftSources, thresholds: DriftThresholds, by: str, outbox: Outbox | None = None,
                now: float | None = None) -> DriftCheck:
    """Open a drift alert for each figure past its threshold (a known open one is left), and clear the open one
    of each figure back on its side; each audited (in the sources' audit log) as ``by`` and told."""
    done, alerts, audit = DriftCheck(), sources.alerts, sources.audit
    judged = [(p, bound) for p in judged_now(sources, thresholds, time.time() if now is None else now)
              if thresholds.judges(p) and (bound := thresholds.bound(p.figure))]
    for point, (threshold, least) in ((p, b) for p, b in judged if thresholds.passed(p)):
        what = (f"{point.figure} of {point.subject} is {_shown(point)}, "
                f"{'below' if least else 'above'} its threshold {threshold:g}")
        alert, new = alerts.open(point.subject, CAUSE + point.figure, what,
                                 {"value": point.value, "threshold": threshold, "of": point.count}, AlertKind.drift)
        if new:
            _told(audit, by, outbox, alert, "opened", what)
            done.opened.append(alert)
    back = {(p.subject, CAUSE + p.figure) for p, _ in judged if not thresholds.passed(p)}
    for alert in alerts.open_of_kind(AlertKind.drift):
        if (alert.machine_id, alert.cause) in back and (cleared := alerts.clear(alert.machine_id, alert.cause)):
            _told(audit, by, outbox, cleared, "cleared", "the figure is back within its threshold")
            done.cleared.append(cleared)
    return done


def watch_drift(copilot: Copilot, alerts: Alerts, thresholds: DriftThresholds, by: str,
                outbox: Outbox | None = None) -> DriftCheck:
    """One drift check of the monitor's copilot (acting as ``by``), on its stores."""
    rt = copilot.rt
    releases = ReleaseStore(rt.settings.audit_db)
    try:
        return check_drift(DriftSources(alerts, rt.twin_checks, rt.audit, releases), thresholds, by, outbox)
    finally:
        releases.close()


def _shown(point: DriftPoint) -> str:
    return f"{point.value:.1%}" if point.figure.share else f"{point.value:g}"


def _told(audit: AuditLog, by: str, outbox: Outbox | None, alert: Alert, status: str, what: str) -> None:
    audit.append(kind=AuditKind.alert, actor=by, thread_id=alert.thread_id,
                 arguments={"alert": alert.alert_id, "subject": alert.machine_id, "cause": alert.cause,
                            "evidence": alert.evidence}, result={"status": status, "what": what})
    if outbox:
        outbox.put(alert, status)
