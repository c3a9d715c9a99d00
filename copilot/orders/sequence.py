"""A line's queue ordered by code to cut changeover time, no order moved past its due date.

The order in progress stays first; the others (and a candidate being checked) are reordered. The changeover from
one run to the next is the routing's (its changeover matrix, light to dark, and its tooling). A sequence is
feasible when every order finishes by its *allowed day*: its due date, or, for an order the first-come sequence
already finishes late, no later than that. The first-come sequence is thus always feasible, and kept unless another
saves changeover.

Up to ``EXACT_UP_TO`` orders to place, the sequence is exact: a dynamic programme over (orders placed, last one)
keeps the least changeover of every feasible prefix, which dominates (the same runs done sooner can only meet more
dates). Beyond, it is greedy: the next order is the one with the least changeover whose placing leaves the rest
feasible in due-date order or in first-come order (one of the two always is, so the greedy never strands an order),
then improved by moving single orders while that cuts changeover and keeps every day; ``lower_bound_min`` (each
order's cheapest changeover into it) bounds how far it may be from the best.
Line time counts working hours from the start of today, as in ``copilot.orders.capacity``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from connectors.plm_records import Routing
from copilot.orders.capacity import Run, changeover_h, day_of

EXACT_UP_TO = 10
_EPS = 1e-6


class SequenceMethod(StrEnum):
    """How the sequence was found: every order tried (exact), or nearest changeover first then improved (greedy)."""

    exact = "exact"
    greedy = "greedy"


@dataclass(frozen=True)
class LineOrder:
    """An order on a line: its run (``order_id`` None for a candidate being checked), its due date (None: none),
    and whether it is in progress (it stays first)."""

    run: Run
    due: date | None = None
    in_progress: bool = False


@dataclass(frozen=True)
class Slot:
    """An order's place in a sequence: the changeover into it, its run from ``start_h`` to ``end_h`` (line hours
    from the start of today), the day it finishes and its due date."""

    order_id: str | None
    colour: str
    features: tuple[str, ...]
    units: int
    changeover_min: float
    start_h: float
    end_h: float
    finish: date
    due: date | None
    in_progress: bool = False

    @property
    def name(self) -> str:
        return self.order_id or "the new order"

    @property
    def late(self) -> bool:
        return self.due is not None and self.finish > self.due


@dataclass(frozen=True)
class LineSequence:
    """A line's queue before (first come, first served) and after sequencing, each order with its times."""

    line_id: str
    today: date
    hours_per_day: float
    method: SequenceMethod
    before: tuple[Slot, ...]
    after: tuple[Slot, ...]
    lower_bound_min: float
    """No order of the queue can have less changeover into it than its cheapest one: their sum bounds the best."""

    @property
    def changeover_before_min(self) -> float:
        return round(sum(s.changeover_min for s in self.before), 6)

    @property
    def changeover_after_min(self) -> float:
        return round(sum(s.changeover_min for s in self.after), 6)

    @property
    def saved_min(self) -> float:
        return round(self.changeover_before_min - self.changeover_after_min, 6)

    @property
    def moved(self) -> bool:
        return [s.order_id for s in self.before] != [s.order_id for s in self.after]

    @property
    def candidate(self) -> Slot | None:
        """The candidate's slot in the sequence after, if one was sequenced."""
        return next((s for s in self.after if s.order_id is None), None)

    @property
    def line(self) -> str:
        def chain(slots: tuple[Slot, ...]) -> str:
            return " → ".join(s.name for s in slots) or "nothing queued"

        queued = [s for s in self.after if not s.in_progress]
        first = f"run {queued[0].name} next" if queued else "nothing queued to run next"
        text = (f"Line {self.line_id}: {first}; first come {chain(self.before)}, {self.changeover_before_min:g} min "
                f"changeover")
        if self.moved:
            text += (f"; sequenced {chain(self.after)}, {self.changeover_after_min:g} min: {self.saved_min:g} min "
                     f"saved ({self.method.value})")
        else:
            text += "; kept as it is: no other order saves changeover within the due dates"
        times = ", ".join(f"{s.name} {s.start_h:.1f}–{s.end_h:.1f} h" for s in self.after)
        text += f". Runs (line hours from the start of today): {times}" if times else ""
        late = [f"{s.name} (due {s.due}, finished {s.finish})" for s in self.after if s.late]
        return text + (f". Late whatever the order: {', '.join(late)}" if late else ". Every order meets its due date")


def sequence_line(line_id: str, routing: Routing, orders: Sequence[LineOrder], today: date) -> LineSequence:
    """The line's orders (first come first, the one in progress among them) sequenced to cut changeover by the
    routing's matrix, no order finishing past its allowed day (see the module)."""
    fixed = [o for o in orders if o.in_progress]
    movable = [o for o in orders if not o.in_progress]
    hpd = routing.hours_per_day
    before = timed_slots([*fixed, *movable], routing, today)
    allowed = [None if o.due is None else max((o.due - today).days, (s.finish - today).days)
               for o, s in zip(movable, before[len(fixed):], strict=True)]
    co = [[changeover_h(routing, a.run, b.run) * 60 for b in movable] for a in movable]
    last = fixed[-1].run if fixed else None
    first = [changeover_h(routing, last, b.run) * 60 for b in movable]
    start_h = before[len(fixed) - 1].end_h if fixed else 0.0
    problem = _Problem(co, first, [o.run.hours for o in movable], allowed, start_h, hpd)
    method = SequenceMethod.exact if len(movable) <= EXACT_UP_TO else SequenceMethod.greedy
    order = problem.exact() if method is SequenceMethod.exact else problem.improved(problem.greedy())
    if problem.total(order) > problem.total(list(range(len(movable)))) - _EPS:
        order = list(range(len(movable)))
    bound = sum(min([first[j], *(co[i][j] for i in range(len(movable)) if i != j)]) for j in range(len(movable)))
    return LineSequence(line_id, today, hpd, method, tuple(before),
                        tuple(timed_slots([*fixed, *(movable[j] for j in order)], routing, today)), round(bound, 6))


@dataclass(frozen=True)
class QueuePlace:
    """Where a new order goes among its line's queued (planned) orders, as the MES holds them: the sequencer's
    place for it (``before``: the queued order it goes ahead of, None: last); its position (1: next) of how many,
    the order it follows (the one in progress when it is next), and the line's changeover minutes with it there
    and with it at the queue's end."""

    line_id: str
    position: int
    of: int
    after: str | None
    before: str | None
    changeover_min: float
    at_end_min: float

    @property
    def line(self) -> str:
        after = f", after {self.after}" if self.after else ""
        return (f"queued {_ordinal(self.position)} of {self.of} on {self.line_id}{after}, changeover "
                f"{self.changeover_min:g} min instead of {self.at_end_min:g} min at the queue's end")


def queue_place(sequenced: LineSequence, orders: Sequence[LineOrder], routing: Routing) -> QueuePlace | None:
    """The candidate's place (``orders`` first come, the candidate among them with no order id) by ``sequenced``,
    the same orders sequenced: right after the order the sequencer runs before it, or right before the one it runs
    after it, whichever leaves the queue less changeover (the same place unless the sequencer also moved others),
    where no order finishes past its allowed day, else last; None when there is no candidate."""
    after = [s for s in sequenced.after if not s.in_progress]
    k = next((i for i, s in enumerate(after) if s.order_id is None), None)
    candidate = next((o for o in orders if o.run.order_id is None), None)
    if k is None or candidate is None:
        return None
    fixed = [o for o in orders if o.in_progress]
    queued = [o for o in orders if not o.in_progress and o.run.order_id is not None]
    ids = [o.run.order_id for o in queued]
    places = [ids.index(after[k - 1].order_id) + 1 if k else 0,
              ids.index(after[k + 1].order_id) if k + 1 < len(after) else len(ids)]

    allowed = {s.order_id: max(s.due, s.finish) if s.due else None for s in sequenced.before}

    def slots(at: int) -> list[Slot]:
        return timed_slots([*fixed, *queued[:at], candidate, *queued[at:]], routing, sequenced.today)

    def changeover(at: int) -> float:
        return round(sum(s.changeover_min for s in slots(at)), 6)

    feasible = [at for at in places if all(allowed[s.order_id] is None or s.finish <= allowed[s.order_id]
                                           for s in slots(at))]
    at = min(feasible, key=changeover) if feasible else len(ids)
    ahead = [*fixed, *queued[:at]]
    return QueuePlace(sequenced.line_id, at + 1, len(queued) + 1, ahead[-1].run.order_id if ahead else None,
                      ids[at] if at < len(ids) else None, changeover(at), sequenced.changeover_before_min)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _finish_day(start_h: float, end_h: float, hours_per_day: float) -> int:
    """The day a run's last working hour falls on."""
    return max(math.ceil(end_h / hours_per_day - _EPS) - 1, day_of(start_h, hours_per_day))


def timed_slots(orders: list[LineOrder], routing: Routing, today: date) -> list[Slot]:
    """The orders run in this order: each one's changeover, start, end and finish day."""
    slots, hour, before = [], 0.0, None
    for order in orders:
        minutes = changeover_h(routing, before, order.run) * 60
        start = hour + minutes / 60
        hour = start + order.run.hours
        finish = today + timedelta(days=_finish_day(start, hour, routing.hours_per_day))
        slots.append(Slot(order.run.order_id, order.run.colour, tuple(sorted(order.run.features)), order.run.units,
                          round(minutes, 6), round(start, 6), round(hour, 6), finish, order.due, order.in_progress))
        before = order.run
    return slots


@dataclass(frozen=True)
class _Problem:
    """The orders to place as numbers: changeover minutes between them and from the fixed start, run hours, the
    allowed day of each (None: any), the hour the first may start its changeover, and the line's day."""

    co: list[list[float]]
    first: list[float]
    hours: list[float]
    allowed: list[int | None]
    start_h: float
    hours_per_day: float

    def _into(self, last: int | None, j: int) -> float:
        return self.first[j] if last is None else self.co[last][j]

    def _end(self, hour: float, last: int | None, j: int) -> float:
        """The hour order ``j`` ends when its changeover after ``last`` starts at ``hour``."""
        return hour + self._into(last, j) / 60 + self.hours[j]

    def _step(self, hour: float, last: int | None, j: int) -> float | None:
        """The hour order ``j`` ends when placed after ``last`` at ``hour``; None when that is past its day."""
        end, allowed = self._end(hour, last, j), self.allowed[j]
        start = end - self.hours[j]
        return None if allowed is not None and _finish_day(start, end, self.hours_per_day) > allowed else end

    def total(self, order: list[int]) -> float:
        return sum(self._into(order[k - 1] if k else None, j) for k, j in enumerate(order))

    def _feasible(self, hour: float, last: int | None, order: list[int]) -> bool:
        for j in order:
            end = self._step(hour, last, j)
            if end is None:
                return False
            hour, last = end, j
        return True

    def exact(self) -> list[int]:
        """The feasible order of least changeover (ties: the one found first, in first-come order)."""
        n = len(self.hours)
        best: dict[tuple[int, int], tuple[float, int | None]] = {}  # (placed, last) -> (changeover, previous last)
        for j in range(n):
            if self._step(self.start_h, None, j) is not None:
                best[(1 << j, j)] = (self.first[j], None)
        for mask in range(1, 1 << n):
            run_h = sum(self.hours[j] for j in range(n) if mask >> j & 1)
            for last in range(n):
                if (mask, last) not in best:
                    continue
                minutes = best[(mask, last)][0]
                hour = self.start_h + run_h + minutes / 60
                for j in (j for j in range(n) if not mask >> j & 1):
                    key, total = (mask | 1 << j, j), minutes + self.co[last][j]
                    if self._step(hour, last, j) is not None and total < best.get(key, (math.inf, None))[0] - _EPS:
                        best[key] = (total, last)
        return self._walk_back(best, n)

    @staticmethod
    def _walk_back(best: dict[tuple[int, int], tuple[float, int | None]], n: int) -> list[int]:
        full = (1 << n) - 1
        ends = [j for j in range(n) if (full, j) in best]
        if not ends:
            return list(range(n))
        last: int | None = min(ends, key=lambda j: (best[(full, j)][0], j))
        order, mask = [], full
        while last is not None:
            order.append(last)
            previous = best[(mask, last)][1]
            mask &= ~(1 << last)
            last = previous
        return order[::-1]

    def greedy(self) -> list[int]:
        """Nearest changeover first, each pick kept only if the rest stays feasible (see the module); the first-come
        next order is the fallback the module shows is never needed."""
        rest, order, hour, last = list(range(len(self.hours))), [], self.start_h, None
        by_due = sorted(rest, key=lambda j: (self.allowed[j] is None, self.allowed[j] or 0, j))
        while rest:
            j = next((j for j in sorted(rest, key=lambda j: (self._into(last, j), j))
                      if self._keeps_feasible(hour, last, j, rest, by_due)), rest[0])
            order.append(j)
            rest.remove(j)
            hour, last = self._end(hour, last, j), j
        return order

    def improved(self, order: list[int]) -> list[int]:
        """``order`` improved by moving one order elsewhere while that keeps every day and cuts changeover, the
        first such move in order taken, until none does (each move cuts it, so this ends)."""
        best = self.total(order)
        moved = True
        while moved:
            moved = False
            for i, j in ((i, j) for i in range(len(order)) for j in range(len(order)) if i != j):
                trial = order[:i] + order[i + 1:]
                trial.insert(j, order[i])
                total = self.total(trial)
                if total < best - _EPS and self._feasible(self.start_h, None, trial):
                    order, best, moved = trial, total, True
                    break
        return order

    def _keeps_feasible(self, hour: float, last: int | None, j: int, rest: list[int], by_due: list[int]) -> bool:
        """Whether ``j`` next fits its day and leaves the others feasible in due-date or first-come order."""
        end = self._step(hour, last, j)
        others = [k for k in rest if k != j]
        return end is not None and (self._feasible(end, j, [k for k in by_due if k in others])
                                    or self._feasible(end, j, others))
