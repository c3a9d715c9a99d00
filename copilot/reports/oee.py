"""OEE, overall equipment effectiveness: availability x performance x quality, per machine and per line.

From the records the plant keeps: the planned production time is the time a machine ran or was down unplanned
(a stop is planned and left out), its run time the time it ran (the historian's states), its ideal rate the plant
file's ``ideal_rate_per_h``, its total and good counts the MES's counters over the period. Pure functions, so a
known history gives figures anyone can work out by hand (tests/test_oee.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.records import MachineQuality


@dataclass(frozen=True)
class Oee:
    """One machine's or line's OEE and its three factors; a factor is None when what it divides by is zero."""

    name: str  # a machine id, or "line L1"
    planned_h: float  # running plus unplanned downtime
    running_h: float
    ideal_h: float  # hours the units made would have taken at the ideal rate
    total: int  # units made, good and rejected
    good: int

    @property
    def availability(self) -> float | None:
        return self.running_h / self.planned_h if self.planned_h else None

    @property
    def performance(self) -> float | None:
        return self.ideal_h / self.running_h if self.running_h else None

    @property
    def quality(self) -> float | None:
        return self.good / self.total if self.total else None

    @property
    def oee(self) -> float | None:
        """Availability x performance x quality: the ideal time of the good units over the planned time."""
        factors = (self.availability, self.performance, self.quality)
        if any(f is None for f in factors):
            return None
        a, p, q = factors
        return a * p * q

    @property
    def line(self) -> str:
        """As people read it: ``OEE 72.0% (availability 90.0% x performance 85.0% x quality 94.1%)``."""
        def shown(value: float | None) -> str:
            return f"{value:.1%}" if value is not None else "-"

        return (f"{self.name}: OEE {shown(self.oee)} (availability {shown(self.availability)} x performance "
                f"{shown(self.performance)} x quality {shown(self.quality)}; {self.good} good of {self.total})")


def machine_oee(machine_id: str, running_h: float, down_h: float, made: MachineQuality,
                ideal_rate_per_h: float) -> Oee:
    """A machine's OEE from its hours running and down unplanned, and what it made (``made``'s window counts)."""
    good, rejects = made.good_in_window or 0, made.rejects_in_window or 0
    return Oee(machine_id, running_h + down_h, running_h, (good + rejects) / ideal_rate_per_h, good + rejects, good)


def line_oee(line_id: str, machines: list[Oee]) -> Oee:
    """A line's OEE over its machines that have one: their hours, ideal hours and counts summed, so each factor
    is weighted by the machines' time and output."""
    return Oee(f"line {line_id}", sum(m.planned_h for m in machines), sum(m.running_h for m in machines),
               sum(m.ideal_h for m in machines), sum(m.total for m in machines), sum(m.good for m in machines))


@dataclass(frozen=True)
class PlantOee:
    """The OEE of every machine that has an ideal rate and counts its output, and of each line that has such."""

    machines: list[Oee]
    lines: list[Oee]

    @property
    def shown(self) -> list[str]:
        """The lines then the machines, one line each; empty when no machine has an ideal rate."""
        return [o.line for o in [*self.lines, *self.machines]]


def plant_oee(hours: dict[str, tuple[float, float]], made: list[MachineQuality],
              ideal_rates: dict[str, float]) -> PlantOee:
    """``hours``: machine id -> (running h, unplanned down h); ``made``: the MES's counts of the period;
    ``ideal_rates``: machine id -> its ideal rate. A machine lacking any of the three has no OEE."""
    by_line: dict[str, list[Oee]] = {}
    machines = []
    for m in made:
        if m.machine_id in hours and m.machine_id in ideal_rates and m.good_in_window is not None:
            running, down = hours[m.machine_id]
            machines.append(one := machine_oee(m.machine_id, running, down, m, ideal_rates[m.machine_id]))
            by_line.setdefault(m.line_id, []).append(one)
    return PlantOee(machines, [line_oee(line, ms) for line, ms in sorted(by_line.items())])
