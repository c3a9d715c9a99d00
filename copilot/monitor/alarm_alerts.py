"""The alerts the monitor opens for the alarm conditions the PLCs' servers keep: one per active alarm, except in a
flood, when the alarms raised within the flood's window become one alert with its first cause (ISA-18.2: more than
10 alarms in 10 minutes is a flood, and the operator needs the one that set it off, not thirty alerts).

A pure function of the conditions and the thresholds; the monitor opens, keeps and clears the alerts it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from connectors.plc.alarms import AlarmCondition

FLOOD = "alarm flood"
ALARM = "alarm "
"""Causes of alarm alerts: ``alarm flood``, or ``alarm <condition>`` (e.g. ``alarm vibration_high``)."""


@dataclass(frozen=True)
class AlarmAlert:
    """An alert to open: on which machine, for what cause, what it says and its evidence."""

    machine_id: str
    cause: str
    what: str
    evidence: dict[str, Any] = field(default_factory=dict)


def is_alarm_cause(cause: str) -> bool:
    """Whether an alert's cause is an alarm's or a flood's (the monitor clears those this module no longer gives)."""
    return cause.startswith(ALARM) or cause == FLOOD


def _since(condition: AlarmCondition):
    return condition.active_since or condition.time


def alarm_alerts(conditions: list[AlarmCondition], *, flood_above: int = 10,
                 window: timedelta = timedelta(minutes=10)) -> list[AlarmAlert]:
    """The alerts for the active, unshelved ``conditions``: one flood alert for the alarms raised within ``window``
    of the newest, when they are more than ``flood_above``, with the first of them as its cause; one alert for
    each other alarm."""
    active = sorted((c for c in conditions if c.active and not c.shelved), key=_since)
    if not active:
        return []
    newest = _since(active[-1])
    flood = [c for c in active if newest - _since(c) <= window]
    if len(flood) <= flood_above:
        flood = []
    alerts = [AlarmAlert(c.machine_id, ALARM + c.condition, c.message,
                         {"severity": c.severity, "since": _since(c).isoformat()}) for c in active if c not in flood]
    if flood:
        first = flood[0]
        minutes = window.total_seconds() / 60
        alerts.append(AlarmAlert(
            first.machine_id, FLOOD,
            f"alarm flood: {len(flood)} alarms within {minutes:g} minutes; first {first.machine_id} "
            f"{first.condition}: {first.message}",
            {"alarms": len(flood), "first": f"{first.machine_id} {first.condition}", "first_message": first.message,
             "since": _since(first).isoformat(), "machines": sorted({c.machine_id for c in flood})}))
    return alerts
