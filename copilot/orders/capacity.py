"""The line's time for an order, by code: the orders queued ahead at their routing's rates, the changeovers
between them and into the order, its run hours, and the working day a moment of line time falls on.

Line time counts working hours from the start of today: the line works ``hours_per_day`` hours each calendar day,
so hour ``h`` falls on day ``floor(h / hours_per_day)`` (day 0 is today).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from connectors.plm_records import Routing


@dataclass(frozen=True)
class Run:
    """A run of one configuration on the line: the order (None for the one checked), its colour, its features,
    how many units are left to make and at how many units an hour."""

    order_id: str | None
    colour: str
    features: frozenset[str]
    units: int
    units_per_hour: float

    @property
    def hours(self) -> float:
        return self.units / self.units_per_hour


def changeover_h(routing: Routing, before: Run | None, after: Run) -> float:
    """Hours to change the line from one run to the next, by the routing's changeover matrix and tooling."""
    if before is None:
        return 0.0
    return routing.changeover_min((before.colour, before.features), (after.colour, after.features)) / 60.0


@dataclass(frozen=True)
class LineTime:
    """The queue ahead (its runs and changeovers), the changeover into the order, and the order's run, in hours."""

    queue_h: float
    changeover_h: float
    run_h: float


def line_time(routing: Routing, queue: list[Run], order: Run) -> LineTime:
    """The line's hours for ``order`` after ``queue`` (in the order they run, the one in progress first)."""
    queue_h, before = 0.0, None
    for run in queue:
        queue_h += changeover_h(routing, before, run) + run.hours
        before = run
    return LineTime(queue_h, changeover_h(routing, before, order), order.hours)


def day_of(hour: float, hours_per_day: float) -> int:
    """The day (0: today) on which line hour ``hour`` starts."""
    return math.floor(hour / hours_per_day)


def finish_day(time: LineTime, ready_day: int, hours_per_day: float) -> int:
    """The day the order is finished when it starts once the line is free and its materials are there (at the
    start of ``ready_day``): the day its last working hour falls on."""
    start_h = max(time.queue_h, ready_day * hours_per_day)
    end_h = start_h + time.changeover_h + time.run_h
    return max(math.ceil(end_h / hours_per_day) - 1, day_of(start_h, hours_per_day))
