"""OEE from a known history equals the figures worked out by hand."""

from __future__ import annotations

import pytest

from connectors.records import MachineQuality
from copilot.reports.kpi import Actions, MonitorHealth, PlantKpis, Stock, compared, lines_of, twin_health
from copilot.reports.oee import Oee, plant_oee


def made(mid: str, line: str, good: int | None, rejects: int | None) -> MachineQuality:
    return MachineQuality(machine_id=mid, line_id=line, good_count=None, reject_count=None, defect_rate=None,
                          good_in_window=good, rejects_in_window=rejects, inspections=[])


# HP-102: 7 h running, 1 h down unplanned; 5400 good and 270 rejected at an ideal 900 an hour.
# IM-103: 8 h running, none down; 1900 good and 100 rejected at an ideal 250 an hour.
HOURS = {"HP-102": (7.0, 1.0), "IM-103": (8.0, 0.0), "P-101": (8.0, 0.0), "FL-202": (6.0, 0.0)}
MADE = [made("HP-102", "L1", 5400, 270), made("IM-103", "L1", 1900, 100), made("P-101", "L1", None, None),
        made("FL-202", "L2", None, None)]
RATES = {"HP-102": 900.0, "IM-103": 250.0, "FL-202": 6000.0}


def test_a_machines_oee_is_its_three_factors_multiplied():
    report = plant_oee(HOURS, MADE, RATES)
    press, moulder = report.machines
    assert press.name == "HP-102"
    assert press.availability == 7 / 8  # 0.875
    assert press.performance == pytest.approx(5670 / 900 / 7)  # 6.3 ideal hours in 7 running: 0.9
    assert press.quality == pytest.approx(5400 / 5670)
    assert press.oee == pytest.approx(0.75)  # = 5400 good at 900 an hour (6 h) over 8 planned hours
    assert (moulder.availability, moulder.performance, moulder.quality) == (1.0, 1.0, 0.95)
    assert moulder.oee == pytest.approx(0.95)


def test_a_lines_oee_sums_its_machines_hours_and_counts():
    [l1] = plant_oee(HOURS, MADE, RATES).lines  # P-101 has no rate, FL-202 no counts: neither has an OEE
    assert (l1.name, l1.planned_h, l1.running_h, l1.total, l1.good) == ("line L1", 16.0, 15.0, 7670, 7300)
    assert l1.ideal_h == pytest.approx(6.3 + 8.0)
    assert l1.availability == pytest.approx(0.9375)
    assert l1.performance == pytest.approx(14.3 / 15)
    assert l1.oee == pytest.approx(14.3 / 16 * 7300 / 7670)  # 0.8506


def test_a_factor_with_nothing_to_divide_by_is_unknown_not_zero():
    idle = Oee("HP-102", planned_h=0.0, running_h=0.0, ideal_h=0.0, total=0, good=0)
    assert (idle.availability, idle.performance, idle.quality, idle.oee) == (None, None, None, None)
    assert idle.line == "HP-102: OEE - (availability - x performance - x quality -; 0 good of 0)"
    assert plant_oee(HOURS, MADE, {}).shown == []


def test_the_kpis_show_oee_and_set_it_against_the_shift_before():
    def kpis(good: int) -> PlantKpis:
        return PlantKpis(8, [], [], 0, 0, None, Stock([], []), Actions(), MonitorHealth(0, 0, 0, 0),
                         twin_health([], 0.05), plant_oee(HOURS, [made("HP-102", "L1", good, 270)], RATES))

    now, before = kpis(5400), kpis(4500)  # 6 h of good output, then 5 h: OEE 75.0% against 62.5%
    assert "  line L1: OEE 75.0% (availability 87.5% x performance 90.0% x quality 95.2%; 5400 good of 5670)" \
        in lines_of(now)
    assert "  HP-102: OEE 75.0% (availability 87.5% x performance 90.0% x quality 95.2%; 5400 good of 5670)" \
        in lines_of(now)
    rows = [row.line for row in compared(now, before)]
    assert "OEE line L1: 75.0% (previous shift 62.5%, +12.5 points)" in rows
