"""The KPIs from a known history equal the numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.records import MachineQuality, StockLevel, WorkOrder, WorkOrderEvent
from copilot.monitor.alerts import AlertStatus, AlertVerdict
from copilot.reports.kpi import (
    Actions,
    Availability,
    LineQuality,
    MonitorHealth,
    PlantKpis,
    Stock,
    actions,
    availability,
    compared,
    made_between,
    monitor_health,
    mttr_h,
    quality_by_line,
    stock,
    twin_health,
)
from copilot.store.audit import AuditKind

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
RUNNING, FAULTED, STOPPED = 1, 2, 0


def test_downtime_failures_and_mtbf():
    # 0-2 h running, 2-2.5 h faulted, 2.5-5 h running, 5-5.25 h faulted, 5.25-6 h stopped (planned): 2 failures
    states = [(0, RUNNING), (7200, FAULTED), (9000, RUNNING), (18000, FAULTED), (18900, STOPPED), (21600, STOPPED)]
    a = availability("P-101", states, running=RUNNING, faulted=FAULTED)
    assert (a.running_h, a.down_h, a.failures) == (4.5, 0.75, 2)
    assert a.mtbf_h == 2.25
    assert availability("P-101", [(0, RUNNING), (3600, RUNNING)], running=RUNNING, faulted=FAULTED).mtbf_h is None


def order(kind: str, opened_h: float, done_h: float | None) -> WorkOrder:
    opened = T0 + timedelta(hours=opened_h)
    history = [WorkOrderEvent(at=opened, status="open", note="", by="olga")]
    if done_h is not None:
        history.append(WorkOrderEvent(at=T0 + timedelta(hours=done_h), status="done", note="fixed", by="fitter"))
    return WorkOrder(id=f"WO-{opened_h}", machine_id="P-101", line_id="L1", title="t", description="", priority="high",
                     kind=kind, parts=[], status="done" if done_h is not None else "open", requested_by="olga",
                     created_at=opened, updated_at=opened, history=history)


def test_mttr_counts_finished_corrective_orders_only():
    orders = [order("corrective", 0, 3), order("corrective", 1, 2), order("corrective", 2, None),
              order("preventive", 0, 10)]
    assert mttr_h(orders) == 2.0  # (3 + 1) / 2
    assert mttr_h([order("corrective", 0, None)]) is None


def machine(mid: str, line: str, good: int | None, rejects: int | None) -> MachineQuality:
    return MachineQuality(machine_id=mid, line_id=line, good_count=None, reject_count=None, defect_rate=None,
                          good_in_window=good, rejects_in_window=rejects, inspections=[])


def test_first_pass_yield_and_defect_rate_per_line():
    l1, l2 = quality_by_line([machine("P-101", "L1", 900, 100), machine("HP-102", "L1", 480, 20),
                              machine("OV-201", "L2", 0, 0)])
    assert (l1.line_id, l1.good, l1.rejects) == ("L1", 1380, 120)
    assert l1.first_pass_yield == 0.92 and l1.defect_rate == 0.08
    assert l2.first_pass_yield is None


def test_what_a_machine_made_in_the_shift_before_is_the_difference_of_two_windows():
    last_16h = [machine("P-101", "L1", 1800, 150), machine("OV-201", "L2", None, None), machine("FL-202", "L2", 40, 2)]
    last_8h = [machine("P-101", "L1", 1000, 50), machine("OV-201", "L2", None, None)]  # FL-202 made nothing since
    before = {m.machine_id: (m.good_in_window, m.rejects_in_window) for m in made_between(last_16h, last_8h)}
    assert before == {"P-101": (800, 100), "OV-201": (None, None), "FL-202": (40, 2)}


def test_a_shift_against_the_one_before():
    def kpis(down: list[float], failures: int, good: int, rejects: int, opened: int, executed: int,
             alerts: int) -> PlantKpis:
        return PlantKpis(8, [Availability(f"M{i}", 8 - d, d, failures if i == 0 else 0) for i, d in enumerate(down)],
                         [LineQuality("L1", good, rejects)], opened, 0, None, Stock([], []),
                         Actions(executed=executed), MonitorHealth(alerts, 0, 0, 0), twin_health([], 0.05))

    now = kpis([1.5, 0.25], 2, 950, 50, 3, 4, 1)
    before = kpis([0.5, 0.0], 1, 900, 100, 3, 1, 0)
    assert [row.line for row in compared(now, before)] == [
        "unplanned downtime: 1.75 h (previous shift 0.5 h, +1.25 h)",
        "failures: 2 (previous shift 1, +1)",
        "first-pass yield line L1: 95.0% (previous shift 90.0%, +5.0 points)",
        "work orders opened: 3 (previous shift 3, no change)",
        "work orders done: 0 (previous shift 0, no change)",
        "actions executed: 4 (previous shift 1, +3)",
        "monitor alerts: 1 (previous shift 0, +1)",
    ]
    quiet = kpis([0.0], 0, 0, 0, 0, 0, 0)
    assert compared(quiet, quiet)[2].line == "first-pass yield line L1: - (previous shift -)"


def test_the_twins_health_is_the_mean_of_each_changes_worst_error():
    health = twin_health([0.01, 0.03, 0.08], drift=0.05)
    assert health.measured == 3 and health.worst_error == 0.08 and not health.drifting
    assert abs(health.mean_error - 0.04) < 1e-12
    assert twin_health([0.06, 0.07], drift=0.05).drifting
    assert twin_health([], drift=0.05).mean_error is None and not twin_health([], drift=0.05).drifting


def test_stockouts_actions_and_the_monitors_health():
    levels = [StockLevel(part="A", name="a", unit="pcs", stock=0, reorder_point=2, reorder_qty=5, on_order=0,
                         below_reorder=True),
              StockLevel(part="B", name="b", unit="pcs", stock=3, reorder_point=4, reorder_qty=5, on_order=0,
                         below_reorder=True),
              StockLevel(part="C", name="c", unit="pcs", stock=9, reorder_point=4, reorder_qty=5, on_order=0,
                         below_reorder=False)]
    s = stock(levels)
    assert s.stockouts == ["A"] and s.below_reorder == ["A", "B"]
    records = [(AuditKind(kind), actor) for kind, actor in [
        ("proposal", "olga"), ("proposal", "monitor"), ("proposal", "monitor"), ("approval", "sam"),
        ("rejection", "sara"), ("execution", "olga"), ("request", "olga")]]
    a = actions(records, [600.0, 1800.0, 3600.0], monitor="monitor")
    assert a.proposed == {"people": 1, "monitor": 2} and (a.approved, a.rejected, a.executed) == (1, 1, 1)
    assert a.waiting_h_median == 0.5
    statuses = [AlertStatus(s) for s in ("open", "cleared", "closed", "cleared", "closed", "closed")]
    verdicts = [v and AlertVerdict(v) for v in (None, None, "confirmed", None, "false_alarm", "confirmed")]
    health = monitor_health(statuses, verdicts)
    assert (health.raised, health.cleared_by_itself, health.confirmed, health.false_alarms) == (6, 2, 2, 1)
    assert health.precision == 2 / 3


def test_the_kpi_command_reads_the_plants_records(sim, tmp_path):
    import os
    import subprocess
    import sys

    from simulator.process import settings_env

    env = {**os.environ, **settings_env(sim), "COPILOT_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "kpi", "--hours", "1"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "P-101" in done.stdout and "first-pass yield" in done.stdout and "MTTR" in done.stdout
    assert "line L1: OEE " in done.stdout and "IM-103: OEE " in done.stdout and "x performance " in done.stdout


@pytest.mark.asyncio
async def test_the_shift_report_names_the_shifts_alerts_and_its_pdf_opens(sim, tmp_path):
    import pypdf
    from agent_helpers import script

    from copilot.monitor.alerts import Alerts
    from copilot.reports.shift_report import facts, with_summary, write_pdf
    from copilot.settings import CopilotSettings

    settings = CopilotSettings(data_dir=tmp_path)
    alerts = Alerts(settings.state_db)
    alerts.open("P-101", "bearing wear", "vibration +1.2 mm/s/h and bearing_temp +6 degC/h together", {})
    alerts.close()
    text = await facts(8, sim, settings)
    assert "## Alerts" in text and "P-101: bearing wear" in text and "## KPIs" in text
    assert "- monitor alerts: 1 (previous shift 0, +1)" in text  # the alert is this shift's, not the one before
    assert "- line L2: OEE " in text and "- FL-202: OEE " in text and "- OEE line L2: " in text
    summed = await with_summary(text, script("P-101 showed bearing wear; nothing waits for sign-off."))
    assert summed.splitlines()[2] == "P-101 showed bearing wear; nothing waits for sign-off."
    invented = await with_summary(text, script("P-101 lost 37 hours."))  # a number the facts lack: left out
    assert invented == text
    pdf = write_pdf(summed, tmp_path / "shift.pdf")
    page_text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Shift report" in page_text and "P-101: bearing wear" in page_text
