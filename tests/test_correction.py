"""The correction a line's top cause calls for, and whether the camera's defect rate fell back after it: decided by
code on hand-built histories and inspections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from test_root_cause import camera, filler, line, moulder, oven, press

from connectors.records import Inspection
from connectors.settings import ConnectorSettings
from copilot.procedures.correction import correction, fell_back
from copilot.procedures.outcome import Stop
from tools.reinspection import Reinspection, Tally, split_at
from tools.sign_offs import SignOff, SignOffStatus

PLANT = ConnectorSettings().load_plant()


def test_a_drifting_loop_gets_its_setpoint_moved_against_the_drift_by_one_step_and_a_work_order():
    hot = moulder(barrel_now=245.0, defect_now=3.0).model_copy(update={"inspections": camera(0, 8)})
    fix = correction(PLANT, line("L1", press(), hot))
    # 15 degC hot against 230: the setpoint would go to 215, but one write moves it 10 at most
    assert fix.value["setpoints"] == [{"machine_id": "IM-103", "tag": "barrel_temp_setpoint", "value": 220.0}]
    assert fix.value["work_order"]["title"] == "IM-103: barrel temperature controller settles off its setpoint"
    assert fix.value["work_order"]["kind"] == "corrective"
    assert "Correction: IM-103 barrel temperature setpoint 230 °C → 220 °C (to bring barrel temperature back " \
           "toward 230 °C); a corrective work order" in fix.note


def test_a_small_drift_is_compensated_in_full_rounded_to_the_register():
    fix = correction(PLANT, line("L2", oven(zone_now=188.0, defect_now=4.0), filler()))
    assert fix.value["setpoints"] == [{"machine_id": "OV-201", "tag": "temp_setpoint", "value": 172.0}]


def test_a_changed_setpoint_goes_back_toward_its_value_before_and_needs_no_work_order():
    fix = correction(PLANT, line("L1", press(), moulder(barrel_now=250.0, setpoint_now=250.0, defect_now=3.0)))
    assert fix.value["setpoints"] == [{"machine_id": "IM-103", "tag": "barrel_temp_setpoint", "value": 240.0}]
    assert fix.value["work_order"] is None
    assert "250 °C → 240 °C (back toward its value before the change)" in fix.note


def test_a_lot_change_gets_an_inspection_work_order_and_no_setpoint():
    fix = correction(PLANT, line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), moulder()))
    assert fix.value["setpoints"] == []
    assert (fix.value["work_order"]["machine_id"], fix.value["work_order"]["kind"]) == ("HP-102", "inspection")
    assert fix.value["work_order"]["title"] == "HP-102: inspect material lot LOT-24-0907"


def test_a_line_running_as_usual_is_not_corrected():
    with pytest.raises(Stop, match="defect rate is not up.*Nothing to correct"):
        correction(PLANT, line("L2", oven(), filler()))


def change(at: float = 1_000.0) -> SignOff:
    return SignOff(action_id="a1", tool="write_setpoint", change="IM-103 barrel temperature setpoint 230 → 220 °C",
                   machine_id="IM-103", requester="monitor", status=SignOffStatus.approved, approvers=["sam", "eli"],
                   asked_at=at - 60, decided_at=at)


def measured(before: Tally, after: Tally) -> Reinspection:
    return Reinspection(machine_id="IM-103", change=change(), before=before, after=after)


def test_the_rate_fell_back_when_at_most_half_of_it_is_left_with_the_figures_before_and_after():
    fell = fell_back(measured(Tally(inspected=40, defects=19, by_class={"flash": 19}),
                              Tally(inspected=50, defects=7, by_class={"flash": 6, "short_shot": 1})))
    assert fell.value == {"fell_back": True, "before": 47.5, "after": 14.0}
    assert fell.note == ("IM-103's defect rate on the camera fell back after IM-103 barrel temperature setpoint "
                         "230 → 220 °C: 47.5 % of 40 parts (flash 47.5 %) before, 14.0 % of 50 parts (flash 12.0 %, "
                         "short shot 2.0 %) after.")
    kept = fell_back(measured(Tally(inspected=40, defects=19), Tally(inspected=40, defects=13)))
    assert not kept.value["fell_back"] and "did not fall back" in kept.note


def test_no_change_nothing_before_or_too_few_parts_after_is_said_and_not_judged():
    with pytest.raises(Stop, match="no approved setpoint change on IM-103's line"):
        fell_back(Reinspection(machine_id="IM-103"))
    with pytest.raises(Stop, match="inspected none of IM-103's parts before"):
        fell_back(measured(Tally(), Tally(inspected=40, defects=1)))
    with pytest.raises(Stop, match="has inspected 12 of IM-103's parts since .*; the re-inspection needs 30"):
        fell_back(measured(Tally(inspected=40, defects=19), Tally(inspected=12, defects=0)))


def inspection(seq: int, recorded: float, taken: float | None, defects: int) -> Inspection:
    return Inspection(id=f"INS-{seq:05d}", machine_id="IM-103", line_id="L1", inspected=10, defects=defects,
                      defect_rate=10.0 * defects, defect_type="flash" if defects else "", note="", requested_by="x",
                      recorded_at=datetime.fromtimestamp(recorded, UTC), taken_at=taken,
                      defects_by_class={"flash": defects} if defects else {})


def test_before_is_the_last_minutes_before_the_change_and_after_leaves_the_settling_out():
    at = 1_000.0
    inspections = [inspection(1, 900, 600.0, 0),  # long before: not in the last 15 minutes
                   inspection(2, 950, 1500.0, 5), inspection(3, 990, 1800.0, 6),
                   inspection(4, 1010, 2100.0, 4),  # photographed while the process settled
                   inspection(5, 1020, 2400.0, 1), inspection(6, 1030, 2700.0, 0),
                   inspection(7, 1040, None, 9)]  # typed by hand: not the camera's
    before, after = split_at(inspections, at, minutes_before=15, settle_minutes=10)
    assert (before.inspected, before.defects, before.by_class) == (20, 11, {"flash": 11})
    assert (after.inspected, after.defects) == (20, 1)
