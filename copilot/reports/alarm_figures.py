"""ISA-18.2 alarm management figures from an alarm log: a pure function of the log, so a known log gives figures
anyone can work out by hand (tests/test_alarm_figures.py).

The figures, with ISA-18.2's (and EEMUA 191's) usual thresholds as defaults:

- the alarm rate: alarms raised per operator per 10 minutes, on average and in the busiest 10 minutes;
- floods: 10-minute periods (from the clock's 10-minute marks) with more than 10 alarms per operator, runs of
  them as one flood, with its first alarm (what set it off) and the share of the time spent in floods;
- chattering alarms: the same alarm raised 3 or more times within 60 seconds;
- fleeting alarms: an alarm that cleared less than 5 seconds after it was raised;
- standing alarms: those still active at the end of the log, and stale ones among them, active for 24 hours;
- the ten most frequent alarms and their share of all alarms.

``log_of`` makes the log of a PLC server's alarm journal (each event with its condition's states after it).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from connectors.plc.alarms import AlarmCondition

TEN_MINUTES = timedelta(minutes=10)


class Transition(StrEnum):
    """What happened to an alarm at an entry of the log."""

    raised = "raised"  # it became active
    cleared = "cleared"  # it returned to normal
    acknowledged = "acknowledged"


@dataclass(frozen=True)
class LogEntry:
    """One line of the alarm log: when, which alarm (a machine's condition), what happened to it."""

    at: datetime
    machine_id: str
    condition: str
    transition: Transition

    @property
    def alarm(self) -> tuple[str, str]:
        return self.machine_id, self.condition


@dataclass(frozen=True)
class Limits:
    """The thresholds the figures judge by (ISA-18.2's and EEMUA 191's usual ones by default)."""

    operators: int = 1  # operator positions sharing the alarms
    flood_above: int = 10  # alarms per operator in 10 minutes
    chatter_count: int = 3  # raised this often ...
    chatter_within: timedelta = timedelta(seconds=60)  # ... within this long
    fleeting_under: timedelta = timedelta(seconds=5)
    stale_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Flood:
    """A run of 10-minute periods above the flood threshold: when it started and ended, its alarms, its first."""

    start: datetime
    end: datetime
    alarms: int
    first: tuple[str, str]


@dataclass(frozen=True)
class Frequent:
    """An alarm and how often it was raised."""

    machine_id: str
    condition: str
    count: int


@dataclass(frozen=True)
class AlarmFigures:
    """The ISA-18.2 figures of one period of the alarm log."""

    start: datetime
    end: datetime
    raised: int
    rate_per_10min: float  # per operator, on average over the period
    peak_per_10min: float  # per operator, in the busiest 10-minute period
    floods: list[Flood] = field(default_factory=list)
    flood_share: float = 0.0  # of the period's 10-minute periods, those in a flood
    chattering: list[tuple[str, str]] = field(default_factory=list)
    fleeting: list[tuple[str, str]] = field(default_factory=list)
    standing: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    top_ten: list[Frequent] = field(default_factory=list)
    top_ten_share: float = 0.0  # of all alarms raised, those of the ten most frequent

    def lines(self) -> list[str]:
        """The figures as lines a shift report prints."""
        named = ", ".join
        lines = [f"{self.raised} alarms; {self.rate_per_10min:.1f} per operator per 10 min on average, "
                 f"{self.peak_per_10min:g} at the busiest"]
        lines += [f"flood {f.start:%H:%M}-{f.end:%H:%M}: {f.alarms} alarms, first {f.first[0]} {f.first[1]}"
                  for f in self.floods]
        for what, alarms in (("chattering", self.chattering), ("fleeting", self.fleeting),
                             ("standing", self.standing), ("stale", self.stale)):
            if alarms:
                lines.append(f"{what}: {named(f'{m} {c}' for m, c in alarms)}")
        if self.top_ten:
            top = named(f"{f.machine_id} {f.condition} ({f.count})" for f in self.top_ten)
            lines.append(f"most frequent ({self.top_ten_share:.0%} of all): {top}")
        return lines


def _transition(event: AlarmCondition, before: AlarmCondition | None) -> Transition | None:
    """What an event of the journal did: its condition became active or cleared (the event of that transition
    carries its time as the ActiveState's), was acknowledged, or something else (a shelving, a confirmation)."""
    if event.active_since == event.time:
        return Transition.raised if event.active else Transition.cleared
    if event.acked and before is not None and not before.acked:
        return Transition.acknowledged
    return None


def log_of(events: list[AlarmCondition]) -> list[LogEntry]:
    """The alarm log of a server's alarm journal (its events in any order)."""
    last: dict[str, AlarmCondition] = {}
    log: list[LogEntry] = []
    for event in sorted(events, key=lambda e: e.time):
        transition = _transition(event, last.get(event.condition_id))
        last[event.condition_id] = event
        if transition is not None:
            log.append(LogEntry(event.time, event.machine_id, event.condition, transition))
    return log


def _period_of(at: datetime) -> datetime:
    """The start of the clock's 10-minute period ``at`` falls in (08:10, 08:20, ...)."""
    return at.replace(minute=at.minute - at.minute % 10, second=0, microsecond=0)


def _floods(raised: list[LogEntry], limits: Limits) -> list[Flood]:
    by_period: dict[datetime, list[LogEntry]] = {}
    for entry in raised:
        by_period.setdefault(_period_of(entry.at), []).append(entry)
    floods: list[Flood] = []
    for period in sorted(by_period):
        entries = by_period[period]
        if len(entries) <= limits.flood_above * limits.operators:
            continue
        last = floods[-1] if floods else None
        if last is not None and last.end == period:  # the flood goes on
            floods[-1] = Flood(last.start, period + TEN_MINUTES, last.alarms + len(entries), last.first)
        else:
            floods.append(Flood(period, period + TEN_MINUTES, len(entries), entries[0].alarm))
    return floods


def _chattering(raised: list[LogEntry], limits: Limits) -> list[tuple[str, str]]:
    times: dict[tuple[str, str], list[datetime]] = {}
    for entry in raised:
        times.setdefault(entry.alarm, []).append(entry.at)
    n = limits.chatter_count
    return sorted(alarm for alarm, ats in times.items()
                  if any(ats[i + n - 1] - ats[i] <= limits.chatter_within for i in range(len(ats) - n + 1)))


def _durations(log: list[LogEntry], start: datetime,
               limits: Limits) -> tuple[set[tuple[str, str]], dict[tuple[str, str], datetime]]:
    """The alarms that cleared fleetingly in the period, and those still active at its end with since when
    (``log``: every entry up to the end, oldest first, so that an alarm raised before the period still stands)."""
    since: dict[tuple[str, str], datetime] = {}
    fleeting: set[tuple[str, str]] = set()
    for entry in log:
        if entry.transition is Transition.raised:
            since.setdefault(entry.alarm, entry.at)
        elif entry.transition is Transition.cleared and entry.alarm in since:
            if entry.at - since.pop(entry.alarm) < limits.fleeting_under and entry.at >= start:
                fleeting.add(entry.alarm)
    return fleeting, since


def figures(log: list[LogEntry], start: datetime, end: datetime, limits: Limits = Limits()) -> AlarmFigures:
    """The ISA-18.2 figures of the period from ``start`` to ``end``: the rates of the alarms raised in it; standing
    and stale alarms from every entry before its end (entries in any order)."""
    before_end = sorted((e for e in log if e.at < end), key=lambda e: e.at)
    raised = [e for e in before_end if e.at >= start and e.transition is Transition.raised]
    periods = max(math.ceil((end - start) / TEN_MINUTES), 1)
    counts = Counter(_period_of(e.at) for e in raised)
    floods = _floods(raised, limits)
    fleeting, standing = _durations(before_end, start, limits)
    frequent = Counter(e.alarm for e in raised).most_common()
    top = sorted(frequent, key=lambda pair: (-pair[1], pair[0]))[:10]
    return AlarmFigures(
        start=start, end=end, raised=len(raised),
        rate_per_10min=len(raised) / periods / limits.operators,
        peak_per_10min=max(counts.values(), default=0) / limits.operators,
        floods=floods, flood_share=sum(int((f.end - f.start) / TEN_MINUTES) for f in floods) / periods,
        chattering=_chattering(raised, limits), fleeting=sorted(fleeting), standing=sorted(standing),
        stale=sorted(alarm for alarm, since in standing.items() if end - since >= limits.stale_after),
        top_ten=[Frequent(m, c, n) for (m, c), n in top],
        top_ten_share=sum(n for _, n in top) / len(raised) if raised else 0.0)
