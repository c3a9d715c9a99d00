"""Root cause and correction by code on hand-built histories, for the two causes issue #29 adds: a material lot
changed (ranked first: the lot goes on hold and the machine back to a good lot of the same material) and a tool
run past its rated life (ranked first with its evidence: a work order to change it); both at once, ranked; none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from test_root_cause import camera, filler, line, moulder, oven, press

from connectors.genealogy import LotEvent, LotEventKind, LotStatus, MaterialLotRecord, ToolLife
from connectors.settings import ConnectorSettings
from copilot.procedures.correction import correction
from copilot.procedures.outcome import Stop
from copilot.quality.root_cause import CauseKind, explain
from tools.line_history import LineHistory, MachineHistory

PLANT = ConnectorSettings().load_plant()
GRANULATE = "PA66-GF30 granulate"
HELD_AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def lot(lot_id: str, material: str = GRANULATE, held: str = "") -> MaterialLotRecord:
    history = [LotEvent(at=HELD_AT, event=LotEventKind.hold, by="eli", reason=held)] if held else []
    return MaterialLotRecord(id=lot_id, material=material, status=LotStatus.on_hold if held else LotStatus.available,
                             reason=held, history=history)


LOTS = [lot("LOT-24-0812"), lot("LOT-24-0815"), lot("LOT-24-0816"), lot("LOT-24-0907"), lot("LOT-24-0911")]


def worn(m: MachineHistory, cycles: int, rated: int = 120_000, name: str = "housing mould HX-200-2K") -> MachineHistory:
    return m.model_copy(update={"tool": ToolLife(machine_id=m.machine_id, line_id="L1", tool=name, cycles=cycles,
                                                 rated_cycles=rated)})


def with_lots(history: LineHistory, lots: list[MaterialLotRecord]) -> LineHistory:
    return history.model_copy(update={"material_lots": lots})


def test_a_lot_change_ranked_first_puts_the_lot_on_hold_and_the_press_back_on_its_previous_lot():
    history = with_lots(line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), moulder()), LOTS)
    assert explain(history).causes[0].kind is CauseKind.material_lot
    fix = correction(PLANT, history)
    assert fix.value["hold"]["lot"] == "LOT-24-0907"
    assert fix.value["hold"]["reason"].startswith("suspected of HP-102's defects: HP-102 material lot changed from "
                                                  '"LOT-24-0812" to "LOT-24-0907"; its defect rate 0.6 % -> 4.1 %')
    assert fix.value["issue"] == {"machine_id": "HP-102", "lot": "LOT-24-0812"}
    assert fix.value["work_order"]["title"] == "HP-102: inspect material lot LOT-24-0907"
    assert ("Correction: material lot LOT-24-0907 on hold; HP-102 switched to material lot LOT-24-0812 (back to the "
            "lot it ran before); an inspection work order") in fix.note


def test_with_the_previous_lot_on_hold_another_lot_of_the_material_is_chosen_and_with_none_the_answer_says_so():
    held_before = [lot("LOT-24-0812", held="bubbles"), lot("LOT-24-0815"), lot("LOT-24-0907")]
    history = line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), moulder())
    fix = correction(PLANT, with_lots(history, held_before))
    assert fix.value["issue"] == {"machine_id": "HP-102", "lot": "LOT-24-0815"}
    assert "switched to material lot LOT-24-0815 (another lot of the material)" in fix.note
    alone = [lot("LOT-24-0812", material="PP-T20 granulate"), lot("LOT-24-0907")]  # the old lot: another material
    fix = correction(PLANT, with_lots(history, alone))
    assert fix.value["hold"]["lot"] == "LOT-24-0907" and fix.value["issue"] is None
    assert f"no other lot of {GRANULATE} is available in the MES to switch HP-102 to" in fix.note


def test_a_lot_already_on_hold_is_not_held_again_and_a_lot_the_mes_lacks_cannot_be():
    history = line("L1", press(lot_now="LOT-24-0907", defect_now=4.1), moulder())
    fix = correction(PLANT, with_lots(history, [lot("LOT-24-0812"), lot("LOT-24-0907", held="burn marks")]))
    assert fix.value["hold"] is None and fix.value["issue"] == {"machine_id": "HP-102", "lot": "LOT-24-0812"}
    assert "material lot LOT-24-0907 is already on hold (burn marks)" in fix.note
    fix = correction(PLANT, with_lots(history, []))
    assert fix.value["hold"] is None and fix.value["issue"] is None
    assert "material lot LOT-24-0907 is not in the MES's lots: it cannot be put on hold there" in fix.note


def test_a_mould_past_its_rated_life_ranks_first_with_its_cycles_and_the_flash_it_makes():
    moulding = worn(moulder(defect_now=4.0), 150_000).model_copy(update={"inspections": camera(0, 8)})
    found = explain(line("L1", press(), moulding))
    [cause] = found.causes
    assert (cause.kind, cause.machine_id, cause.before, cause.now, cause.explains) == (
        CauseKind.tool_wear, "IM-103", 120_000.0, 150_000.0, "flash")
    # 25 % past its rated life: full strength; the moulder carries the whole rise: x (1 + 3) / 4
    assert cause.score == 1.0
    assert ("1) IM-103 housing mould HX-200-2K at 150000 cycles since its last change, past its rated life of "
            "120000 cycles; its defect rate 0.8 % -> 4.0 %; it makes flash (score 1.00)") in found.said
    fix = correction(PLANT, line("L1", press(), moulding))
    assert fix.value["setpoints"] == [] and fix.value["hold"] is None
    assert fix.value["work_order"]["title"] == ("IM-103: change the housing mould HX-200-2K (150000 cycles, "
                                                "rated 120000)")
    assert (fix.value["work_order"]["machine_id"], fix.value["work_order"]["kind"]) == ("IM-103", "corrective")


def test_a_tool_within_its_rated_life_is_no_cause():
    found = explain(line("L1", press(), worn(moulder(defect_now=4.0), 119_000)))
    assert found.rose and found.causes == []


def test_a_worn_tool_and_a_lot_change_at_once_are_ranked_by_their_share_of_the_rise_and_the_camera():
    history = with_lots(line("L1", press(lot_now="LOT-24-0907", defect_now=4.1),
                             worn(moulder(defect_now=2.0), 150_000)), LOTS)
    ranked = [(c.kind, c.machine_id, c.score) for c in explain(history).causes]
    # rises: HP-102 3.5 points, IM-103 1.2 of 4.7. The lot: 1.0 x (1 + 3 x 3.5 / 4.7) / 4 = 0.81; the mould 25 %
    # past its life (full strength): 1.0 x (1 + 3 x 1.2 / 4.7) / 4 = 0.44
    assert ranked == [(CauseKind.material_lot, "HP-102", pytest.approx(0.81, abs=0.01)),
                      (CauseKind.tool_wear, "IM-103", pytest.approx(0.44, abs=0.01))]
    assert correction(PLANT, history).value["hold"]["lot"] == "LOT-24-0907"  # the first cause is corrected
    press_now, moulder_now = history.machines
    flashing = history.model_copy(update={"machines": [press_now, moulder_now.model_copy(
        update={"inspections": camera(0, 8)})]})
    ranked = [(c.kind, c.score, c.explains) for c in explain(flashing).causes]
    # with flash rising on the moulder the lot, on the press where no class rose, weighs half: the mould first
    assert ranked == [(CauseKind.tool_wear, pytest.approx(0.44, abs=0.01), "flash"),
                      (CauseKind.material_lot, pytest.approx(0.405, abs=0.01), "")]
    fix = correction(PLANT, flashing)
    assert fix.value["hold"] is None and fix.value["work_order"]["title"].startswith("IM-103: change the housing mould")


def test_no_lot_change_and_no_worn_tool_on_a_line_as_usual_corrects_nothing():
    history = with_lots(line("L2", oven(), filler()), LOTS)
    assert explain(history).causes == []
    with pytest.raises(Stop, match="Nothing to correct"):
        correction(PLANT, history)
