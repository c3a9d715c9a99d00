"""What the monitor finds in a machine's recent history: pure functions of the samples and the plant file.

A trend is the Theil-Sen slope (scipy.stats.theilslopes): the median of the slopes between all pairs of
samples, so the sensor noise and a single spike that move a least-squares line do not move it, and it comes
with a confidence interval; a trend counts only when the whole interval has the same sign. scipy is the
standard numerical library here and has this estimator; a streaming library (river) would keep state
across checks that the historian already keeps for us.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy.stats import theilslopes

from connectors.plant import Machine
from copilot.monitor.spec import Detection, DetectionKind

Samples = list[tuple[float, float]]  # (seconds, value), oldest first
Live = dict[str, float]  # the PLC's values now, by tag: newer than the historian's last sample
MIN_SAMPLES = 8


@dataclass(frozen=True)
class Finding:
    """Why an alert opens: what was seen, in words, with the readings that show it."""

    machine_id: str
    detection: str
    what: str
    evidence: dict[str, float | str]


@dataclass(frozen=True)
class Slope:
    """A trend per hour with its 95 % interval; ``rising`` when the whole interval is above zero."""

    per_hour: float
    low: float  # the 95 % interval, per hour
    high: float

    @property
    def rising(self) -> bool:
        return self.low > 0


def slope(samples: Samples) -> Slope | None:
    """The Theil-Sen trend of ``samples`` per hour; None with too few samples or no time between them."""
    if len(samples) < MIN_SAMPLES or samples[-1][0] - samples[0][0] <= 0:
        return None
    result = theilslopes([v for _, v in samples], [t for t, _ in samples], alpha=0.95)
    return Slope(result.slope * 3600, result.low_slope * 3600, result.high_slope * 3600)


def _round(value: float) -> float:
    return round(value, 3)


def find(detection: Detection, machine: Machine, history: dict[str, Samples],
         live: Live | None = None) -> Finding | None:
    """The finding of one detection on one machine, or None when all is as usual (or too little is known).
    Trends come from the history; where the PLC's live value is given it is the reading now (a stop is seen
    at once, a time to limit counts from the latest value, a setpoint just changed is not a drift)."""
    check = {DetectionKind.toward_limit: _toward_limit, DetectionKind.rising_together: _rising_together,
             DetectionKind.off_setpoint: _off_setpoint, DetectionKind.above_usual: _above_usual,
             DetectionKind.stopped: _stopped}[detection.kind]
    return check(detection, machine, history, live or {})


def tags_of(detection: Detection, machine: Machine) -> list[str]:
    """The tags the detection reads on this machine; empty when the machine lacks any it needs."""
    if detection.kind is DetectionKind.stopped:
        return ["state"] if "state" in machine.tags else []
    if detection.kind is DetectionKind.off_setpoint:
        return [t for pair in detection.pairs.items() if all(x in machine.tags for x in pair) for t in pair]
    if detection.kind is DetectionKind.rising_together:
        return detection.tags if all(t in machine.tags for t in detection.tags) else []
    return [t for t in detection.tags if t in machine.tags]


def _toward_limit(detection: Detection, machine: Machine, history: dict[str, Samples],
                  live: Live) -> Finding | None:
    for name in tags_of(detection, machine):
        tag, samples = machine.tags[name], history.get(name, [])
        trend = slope(samples)
        if tag.alarm_high is None or trend is None or not trend.rising or not samples:
            continue
        last = live.get(name, samples[-1][1])
        if last >= tag.alarm_high:
            continue  # past it already: the PLC's own alarm tells
        hours = (tag.alarm_high - last) / trend.per_hour
        if hours <= detection.within_hours:
            return Finding(machine.id, detection.name,
                           f"{name} {last:g} {tag.unit} rising {trend.per_hour:.3g} {tag.unit}/h: at its alarm limit "
                           f"{tag.alarm_high:g} {tag.unit} in about {hours * 60:.0f} min",
                           {"tag": name, "last": _round(last), "per_hour": _round(trend.per_hour),
                            "alarm_high": tag.alarm_high, "minutes_to_alarm": round(hours * 60)})
    return None


def _rising_together(detection: Detection, machine: Machine, history: dict[str, Samples],
                     live: Live) -> Finding | None:
    names = tags_of(detection, machine)
    trends = {name: slope(history.get(name, [])) for name in names}
    if not names or any(t is None or not t.rising or t.per_hour < detection.min_rise_per_hour[n]
                        for n, t in trends.items()):
        return None
    parts = [f"{n} +{t.per_hour:.3g} {machine.tags[n].unit}/h" for n, t in trends.items()]
    evidence: dict[str, float | str] = {f"{n}_per_hour": _round(t.per_hour) for n, t in trends.items()}
    evidence |= {f"{n}_last": _round(history[n][-1][1]) for n in names}
    return Finding(machine.id, detection.name, f"{' and '.join(parts)} together", evidence)


def _off_setpoint(detection: Detection, machine: Machine, history: dict[str, Samples],
                  live: Live) -> Finding | None:
    for reading, setpoint in detection.pairs.items():
        if reading not in machine.tags or setpoint not in machine.tags:
            continue
        values, targets = history.get(reading, []), history.get(setpoint, [])
        if len(values) < MIN_SAMPLES or not targets:
            continue
        target = live.get(setpoint, targets[-1][1])
        if not target or any(not math.isclose(t, target) for _, t in targets):
            continue  # no setpoint, or it changed within the window: the reading is still on its way
        worst = min(abs(v - target) for _, v in values) / abs(target)  # away for the whole window
        if worst > detection.band:
            mean = statistics.fmean(v for _, v in values)
            unit = machine.tags[reading].unit
            return Finding(machine.id, detection.name,
                           f"{reading} {mean:.4g} {unit} against its setpoint {target:g} {unit} "
                           f"for {detection.window_minutes:g} min",
                           {"tag": reading, "mean": _round(mean), "setpoint": target, "off_by": _round(mean - target)})
    return None


def _above_usual(detection: Detection, machine: Machine, history: dict[str, Samples],
                 live: Live) -> Finding | None:
    for name in tags_of(detection, machine):
        samples = history.get(name, [])
        if len(samples) < 2 * MIN_SAMPLES:
            continue
        cut = samples[-1][0] - detection.recent_minutes * 60
        before, recent = [v for t, v in samples if t < cut], [v for t, v in samples if t >= cut]
        if len(before) < MIN_SAMPLES or not recent:
            continue
        usual, spread = statistics.fmean(before), statistics.pstdev(before)
        now = statistics.fmean(recent)
        if now - usual >= detection.min_rise and now > usual + detection.sigmas * max(spread, 1e-9):
            unit = machine.tags[name].unit
            return Finding(machine.id, detection.name,
                           f"{name} {now:.3g} {unit} over the last {detection.recent_minutes:g} min, usually "
                           f"{usual:.3g} {unit}", {"tag": name, "recent": _round(now), "usual": _round(usual)})
    return None


def _stopped(detection: Detection, machine: Machine, history: dict[str, Samples],
             live: Live) -> Finding | None:
    states = [v for _, v in history.get("state", [])[-3:]]
    if "state" in live:
        states = [live["state"]]  # the PLC's state now: a stop is seen without waiting for the historian
    faulted = machine.tags["state"].code_of("faulted")
    if faulted is not None and states and all(math.isclose(v, faulted) for v in states):
        return Finding(machine.id, detection.name, f"{machine.id} is faulted and stopped", {"state": "faulted"})
    return None
