"""Root cause by code on hand-built histories: drift, a lot change, a setpoint change, two causes at once, none."""

from __future__ import annotations

import pytest

from copilot.quality.root_cause import CauseKind, explain
from tools.line_history import Inspected, LineHistory, LotLoad, MachineHistory, Series
from tools.sign_offs import SignOff, SignOffStatus


def line(line_id: str, *machines: MachineHistory) -> LineHistory:
    return LineHistory(line_id=line_id, split=SPLIT, machines=list(machines))


def series(tag: str, unit: str, span: float, samples: list[tuple[float, float]], words: str = "") -> Series:
    return Series(tag=tag, unit=unit, span=span, samples=samples, words=words)


def machine(mid: str, defects: list[tuple[float, float]], readings: list[Series] = (), setpoints: list[Series] = (),
            drives: dict[str, str] | None = None, lots: list[LotLoad] = ()) -> MachineHistory:
    return MachineHistory(machine_id=mid, defect_rate=defects, readings=list(readings), setpoints=list(setpoints),
                          drives=drives or {}, lots=list(lots))

SPLIT = 2700.0  # a window of an hour, a sample a minute; its last 15 minutes are now
TIMES = [60.0 * i for i in range(60)]


def steady(level: float, then: float | None = None, noise: float = 0.2) -> list[tuple[float, float]]:
    """``level`` with a little noise, moving to ``then`` from the split."""
    return [(t, (then if then is not None and t >= SPLIT else level) + noise * (-1) ** i) for i, t in enumerate(TIMES)]


def flat(level: float, then: float | None = None, at: float = SPLIT) -> list[tuple[float, float]]:
    """A setpoint: ``level``, changed to ``then`` at ``at``."""
    return [(t, then if then is not None and t >= at else level) for t in TIMES]


def oven(zone_now: float = 180.0, defect_now: float = 0.5) -> MachineHistory:
    return machine("OV-201", steady(0.5, defect_now, 0.02),
                          [series("zone_temp", "degC", 300, steady(180.0, zone_now)),
                           series("fan_speed", "rpm", 1800, steady(1450.0, noise=4.0))],
                          [series("temp_setpoint", "degC", 60, flat(180.0))], {"zone_temp": "temp_setpoint"})


def filler() -> MachineHistory:
    return machine("FL-202", steady(0.4, noise=0.02), [series("fill_volume", "ml", 600, steady(500.0))],
                          [series("fill_setpoint", "ml", 40, flat(500.0))], {"fill_volume": "fill_setpoint"})


def press(lot_now: str = "LOT-24-0812", defect_now: float = 0.6) -> MachineHistory:
    lots = [LotLoad(at=-7200.0, lot="LOT-24-0812")]
    lots += [LotLoad(at=2760.0, lot=lot_now)] if lot_now != "LOT-24-0812" else []
    return machine("HP-102", steady(0.6, defect_now, 0.02),
                          [series("hydraulic_pressure", "bar", 250, steady(160.0, noise=0.8))],
                          [series("pressure_setpoint", "bar", 130, flat(160.0))],
                          {"hydraulic_pressure": "pressure_setpoint"}, lots)


def moulder(barrel_now: float = 230.0, setpoint_now: float | None = None, defect_now: float = 0.8) -> MachineHistory:
    pressure_now = 1115.0 + 8.0 * (230.0 - barrel_now)
    return machine("IM-103", steady(0.8, defect_now, 0.02),
                          [series("barrel_temp", "degC", 320, steady(230.0, barrel_now, 0.3)),
                           series("injection_pressure", "bar", 2000, steady(1115.0, pressure_now, 4.0))],
                          [series("barrel_temp_setpoint", "degC", 60, flat(230.0, setpoint_now, at=2640.0),
                                  "barrel temperature setpoint"),
                           series("hold_pressure_setpoint", "bar", 500, flat(650.0))],
                          {"barrel_temp": "barrel_temp_setpoint"}, [LotLoad(at=-3600.0, lot="LOT-24-0815")])


def test_a_drifting_oven_is_the_cause_with_its_reading_and_setpoint():
    found = explain(line("L2", oven(zone_now=195.0, defect_now=4.0), filler()))
    assert found.rose and found.defect_before == pytest.approx(0.9, abs=0.01)
    assert found.defect_now == pytest.approx(4.4, abs=0.01)
    [cause] = found.causes  # the fan and the filler are as usual: no cause there
    assert (cause.kind, cause.machine_id, cause.tag, cause.setpoint) == (CauseKind.off_setpoint, "OV-201",
                                                                         "zone_temp", 180.0)
    assert cause.before == pytest.approx(180.0, abs=0.01) and cause.now == pytest.approx(195.0, abs=0.02)
    # 15 degC off against a threshold of 2 % of its 300 degC range (6 degC): 2.5 thresholds, strength 2.5 / 3;
    # the oven carries the whole rise: x (1 + 3) / 4
    assert cause.score == pytest.approx(0.83, abs=0.01)
    assert "OV-201 zone temp 195 °C against its setpoint 180 °C (it was 180 °C); its defect rate 0.5 % -> 4.0 %" \
        in found.said


def test_a_lot_change_is_the_cause_and_names_both_lots():
    found = explain(line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), moulder()))
    [cause] = found.causes
    assert (cause.kind, cause.machine_id, cause.before, cause.now) == (CauseKind.material_lot, "HP-102",
                                                                       "LOT-24-0812", "LOT-24-0907")
    assert cause.score == 1.0
    assert 'HP-102 material lot changed from "LOT-24-0812" to "LOT-24-0907"' in found.said  # plant text, quoted


def signed(change: str, machine: str = "IM-103") -> SignOff:
    return SignOff(action_id="a1", tool="write_setpoint", change=change, machine_id=machine, requester="olga",
                   status=SignOffStatus.approved, approvers=["sam"], asked_at=1e9, decided_at=1e9 + 60)


def test_a_changed_setpoint_is_the_cause_not_the_reading_that_followed_it():
    history = line("L1", press(), moulder(barrel_now=250.0, setpoint_now=250.0, defect_now=3.0))
    found = explain(history.model_copy(update={"sign_offs": [
        signed("IM-103 hold pressure setpoint 650 → 700 bar"),
        signed("HP-102 pressure setpoint 160 → 170 bar", "HP-102"),
        signed("IM-103 barrel temperature setpoint 230 → 250 °C")]}))
    kinds = [(c.kind, c.tag) for c in found.causes]
    assert kinds[0] == (CauseKind.setpoint_change, "barrel_temp_setpoint")
    assert (CauseKind.off_setpoint, "barrel_temp") not in kinds and (CauseKind.drift, "barrel_temp") not in kinds
    first = found.causes[0]
    assert (first.before, first.now) == (230.0, 250.0)
    # the sign-off that made the change is its evidence; the others (another setpoint, another machine) are not
    assert first.signed_off.startswith("IM-103 barrel temperature setpoint 230 → 250 °C: approved by sam")
    assert "1) IM-103 barrel temperature setpoint changed from 230 °C to 250 °C (IM-103 barrel temperature" \
        in found.said


def test_two_causes_at_once_are_ranked_by_their_share_of_the_rise():
    found = explain(line("L1", press(lot_now="LOT-24-0907", defect_now=4.1),
                         moulder(barrel_now=245.0, defect_now=3.0)))
    ranked = [(c.kind, c.machine_id, c.tag, c.score) for c in found.causes]
    # rises: HP-102 3.5 points, IM-103 2.2 points of 5.7. The lot: 1.0 x (1 + 3 x 3.5 / 5.7) / 4 = 0.71;
    # the barrel 15 degC off against 6.4 (2 % of 320): strength 0.78, x (1 + 3 x 2.2 / 5.7) / 4 = 0.42;
    # the injection pressure 120 bar down against 40: strength 1, a drift weighs 0.6: 0.6 x 2.158 / 4 = 0.32
    assert ranked == [(CauseKind.material_lot, "HP-102", "material_lot", pytest.approx(0.71, abs=0.01)),
                      (CauseKind.off_setpoint, "IM-103", "barrel_temp", pytest.approx(0.42, abs=0.01)),
                      (CauseKind.drift, "IM-103", "injection_pressure", pytest.approx(0.32, abs=0.01))]
    assert found.said.startswith("Line L1's defect rate rose from 1.4 % to 7.1 %. Likely causes, most likely first: "
                                 "1) HP-102 material lot changed")


def test_nothing_out_of_the_usual_is_said_so_and_no_cause_is_invented():
    found = explain(line("L2", oven(), filler()))
    assert not found.rose and found.causes == []
    assert found.said == ("Line L2's defect rate is not up: 0.9 % now, 0.9 % before. No cause found: the readings of "
                          "OV-201, FL-202 are at their setpoints and usual levels, and no setpoint or material lot "
                          "changed.")
    short = explain(line("L2", machine("OV-201", steady(0.5)[-2:])))
    assert short.defect_now is None and "not recorded" in short.said  # too few samples: nothing judged


def camera(flash_before: int, flash_now: int, parts: int = 20) -> list[Inspected]:
    """The camera's inspections of the moulder: one per 5 minutes, ``parts`` each, so many of them flash."""
    return [Inspected(at=t, inspected=parts, defects_by_class={"flash": flash_now if t >= SPLIT else flash_before})
            for t in range(300, 3600, 300)]


def test_flash_rising_with_the_barrel_hot_ranks_the_barrel_first_over_a_larger_cause_that_makes_no_flash():
    hot = moulder(barrel_now=245.0, defect_now=3.0).model_copy(update={"inspections": camera(0, 8)})
    found = explain(line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), hot))
    [rise] = found.classes
    assert (rise.machine_id, rise.defect_class, rise.before, rise.now) == ("IM-103", "flash", 0.0, 40.0)
    assert (rise.inspected_before, rise.inspected_now) == (160, 60)
    ranked = [(c.machine_id, c.tag, c.score, c.explains) for c in found.causes]
    # the same histories as above, but the camera sees flash on the moulder: the barrel running hot makes flash
    # and keeps 0.42; the press's lot (no class rose there) and the pressure that fell (flash comes of it high)
    # weigh half
    assert ranked == [("IM-103", "barrel_temp", pytest.approx(0.42, abs=0.01), "flash"),
                      ("HP-102", "material_lot", pytest.approx(0.355, abs=0.01), ""),
                      ("IM-103", "injection_pressure", pytest.approx(0.16, abs=0.01), "")]
    assert found.said.startswith("Line L1's defect rate rose from 1.4 % to 7.1 %. The camera finds more flash on "
                                 "IM-103: 0.0 % of 160 parts before, 40.0 % of 60 now. Likely causes, most likely "
                                 "first: 1) IM-103 barrel temp 245 °C against its setpoint 230 °C")
    assert "it makes flash (score 0.42); 2) HP-102" in found.said


def test_a_class_is_judged_only_on_enough_parts_and_a_real_rise():
    few = moulder().model_copy(update={"inspections": camera(0, 3, parts=2)})  # 6 parts now: too few
    assert explain(line("L1", few)).classes == []
    same = moulder().model_copy(update={"inspections": camera(1, 1)})  # 5 % before and now
    assert explain(line("L1", same)).classes == []
