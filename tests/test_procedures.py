"""The procedures file, the slots and the decisions, without a model or a plant running."""

from __future__ import annotations

import pytest
import yaml

from connectors.plant import load_plant
from connectors.records import PartOffer, ProductionOrderRecord, SparePart, WorkOrder
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.procedures.answer import faithful, stands_for, told_once
from copilot.procedures.asked import asked_back
from copilot.procedures.decisions import purchase, setpoint_targets, supplier_for, work_order
from copilot.procedures.grounding import checked, unknown_name
from copilot.procedures.outcome import AskBack, Stop
from copilot.procedures.production import orders_at, production_change
from copilot.procedures.slots import choice_schema
from copilot.procedures.spec import ProcedureError, Procedures
from copilot.settings import CopilotSettings
from policies.model import Risk
from tools.live import Alarm, Reading
from tools.machine_status import MachineStatus
from tools.registry import TOOLS

PLANT = ConnectorSettings().load_plant()
SHIPPED = Procedures.load(CopilotSettings().procedures_file, TOOLS)


def _with(change: dict) -> dict:
    data = yaml.safe_load(CopilotSettings().procedures_file.read_text())
    data["procedures"][0] = {**data["procedures"][0], **change}
    return data


@pytest.mark.parametrize(("change", "message"), [
    ({"steps": [{"read": "machine_stats", "args": {"machine_id": "$machine"}}]},
     "procedure 'machine_status_and_diagnosis', steps[0] (read machine_stats): unknown tool"),
    ({"steps": [{"read": "machine_status", "args": {"machine": "$machine"}}]},
     "machine_status has no argument 'machine'"),
    ({"steps": [{"change": "machine_status", "args": {"machine_id": "$machine"}}]},
     "machine_status is a read; write it as read"),
    ({"steps": [{"read": "machine_status", "args": {"machine_id": "$machin"}}]},
     "$machin is neither a slot nor the result of an earlier step"),
    ({"steps": [{"decide": "guess", "args": {}}]}, "unknown decision"),
    ({"slots": {"machine": {"kind": "machines"}}},
     "procedure 'machine_status_and_diagnosis' (procedures[0]), field slots.machine.kind"),
    ({"name": "inventory"}, "procedure 'inventory' has the name of a tool"),
    ({"examples": []}, "field examples"),
    ({"examples": [{"request": "how is P-101?", "slots": {"machin": "P-101"}}]},
     "fills machin, which is no slot of it"),
    ({"steps": [{"read": "machine_status", "when": ["$machine", "machine"], "args": {"machine_id": "$machine"}}]},
     "when must be a reference like $name, not 'machine'"),
    ({"steps": [{"read": "machine_status", "when": ["$machine", "$status"], "args": {"machine_id": "$machine"}}]},
     "$status is neither a slot nor the result of an earlier step"),
])
def test_a_procedure_file_with_a_mistake_is_refused_with_the_procedure_and_field(change, message) -> None:
    with pytest.raises(ProcedureError) as caught:
        Procedures.from_data(_with(change), TOOLS)
    assert message in str(caught.value)


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ProcedureError, match="cannot read the procedures file"):
        Procedures.load(tmp_path / "none.yaml", TOOLS)
    (tmp_path / "bad.yaml").write_text("procedures: [")
    with pytest.raises(ProcedureError, match="is not valid YAML"):
        Procedures.load(tmp_path / "bad.yaml", TOOLS)


def test_every_change_tool_is_reachable_through_a_procedure() -> None:
    changes = {name for name, tool in TOOLS.items() if tool.risk != Risk.read}
    assert changes <= {c for p in SHIPPED.procedures for c in p.changes}


def test_slots_hold_only_values_the_plant_has() -> None:
    schema = choice_schema(SHIPPED.get("change_setpoints"), PLANT)["function"]["parameters"]["properties"]
    assert schema["machine"]["anyOf"][0]["enum"] == sorted(PLANT.machines)
    tags = schema["changes"]["anyOf"][0]["items"]["properties"]["tag"]["anyOf"][0]["enum"]
    assert "temp_setpoint" in tags and "run" not in tags and "vibration" not in tags
    properties = choice_schema(SHIPPED.get("order_part"), PLANT)["function"]["parameters"]["properties"]
    parts = properties["part"]["anyOf"][0]["enum"]
    assert parts == sorted(p.id for p in PLANT.parts)


def _status(*alarms: Alarm, **values: float) -> MachineStatus:
    return MachineStatus(machine_id="P-101", name="pump", kind="pump", model="CP-80", line_id="L1", state="running",
                         alarms=list(alarms), tags=[Reading(tag=k, value=v) for k, v in values.items()])


def test_relative_and_percentage_changes_follow_the_live_value_and_the_register() -> None:
    down = setpoint_targets(PLANT, "OV-201", [{"tag": "temp_setpoint", "by": -5}], _status(temp_setpoint=180.0))
    assert down.value == [{"machine_id": "OV-201", "tag": "temp_setpoint", "value": 175.0}]
    slower = setpoint_targets(PLANT, "FL-202", [{"tag": "speed_setpoint", "percent": -10}],
                              _status(speed_setpoint=85.0))
    assert slower.value[0]["value"] == 76.0  # 76.5 rounded to the register's whole bpm
    fill = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "by": 2.04}], _status(fill_setpoint=500.0))
    assert fill.value[0]["value"] == 502.0  # tenths of a ml
    two = setpoint_targets(PLANT, "HP-102",
                           [{"tag": "pressure_setpoint", "by": -10}, {"tag": "stroke_rate_setpoint", "to": 14}],
                           _status(pressure_setpoint=160.0, stroke_rate_setpoint=12.0))
    assert [t["value"] for t in two.value] == [150.0, 14.0]


def test_a_setpoint_not_named_is_the_only_one_or_asked_back() -> None:
    only = setpoint_targets(PLANT, "OV-201", [{"to": 175}], _status(temp_setpoint=180.0))
    assert only.value[0]["tag"] == "temp_setpoint"
    with pytest.raises(AskBack, match="Which setpoint of FL-202: fill setpoint or speed setpoint"):
        setpoint_targets(PLANT, "FL-202", [{"to": 505}], _status())
    with pytest.raises(AskBack, match="by how much"):
        setpoint_targets(PLANT, "OV-201", [{"tag": "temp_setpoint"}], _status(temp_setpoint=180.0))
    with pytest.raises(Stop, match="already 180"):
        setpoint_targets(PLANT, "OV-201", [{"to": 180}], _status(temp_setpoint=180.0))


def _part(stock: int, point: int = 8, on_order: int = 0, offers: list | None = None) -> SparePart:
    offers = offers or [
        {"supplier": "SUP-NORD", "price": 14.8, "lead_time_days": 5, "carbon_kg": 1.9},
        {"supplier": "SUP-FAST", "price": 18.5, "lead_time_days": 1, "carbon_kg": 3.4},
        {"supplier": "SUP-ECO", "price": 16.2, "lead_time_days": 9, "carbon_kg": 0.8}]
    return SparePart(id="BRG-6205", name="bearing", unit="pcs", stock=stock, reorder_point=point, reorder_qty=20,
                     on_order=on_order, below_reorder=stock + on_order <= point, machines=["P-101"],
                     offers=[PartOffer(supplier_name=o["supplier"], **o) for o in offers])


def test_the_quantity_is_the_request_or_the_reorder_quantity_when_stock_is_low() -> None:
    assert purchase(_part(6)).value == {"part_id": "BRG-6205", "quantity": 20, "supplier_id": "SUP-NORD"}
    assert purchase(_part(8)).value["quantity"] == 20  # at the reorder point
    assert purchase(_part(30), quantity=5).value["quantity"] == 5  # asked for: ordered even when stocked
    with pytest.raises(Stop, match="above its reorder point 8: nothing to order"):
        purchase(_part(9))
    with pytest.raises(Stop, match="4 on order"):
        purchase(_part(6, on_order=4))  # what is already on its way counts


def test_the_supplier_is_the_best_by_preference_and_a_tie_is_broken_the_same_way_every_time() -> None:
    assert supplier_for(_part(6), "lead_time").value == "SUP-FAST"
    assert supplier_for(_part(6), "carbon").value == "SUP-ECO"
    tied = [{"supplier": s, "price": 10.0, "lead_time_days": d, "carbon_kg": 1.0}
            for s, d in (("SUP-B", 3), ("SUP-A", 3), ("SUP-C", 2))]
    assert supplier_for(_part(6, offers=tied), "price").value == "SUP-C"  # same price: the shorter lead time
    assert supplier_for(_part(6, offers=tied[:2]), "price").value == "SUP-A"  # all equal: by id
    assert "tied with" in supplier_for(_part(6, offers=tied[:2]), "price").note
    with pytest.raises(Stop, match="SUP-HYD does not offer BRG-6205"):
        supplier_for(_part(6), supplier="SUP-HYD")


def test_work_order_priority_follows_how_far_past_the_alarm_limit() -> None:
    def alarm(value: float) -> MachineStatus:
        return _status(Alarm(machine_id="P-101", tag="vibration", value=value, threshold=7.1,
                             message=f"vibration {value} mm/s above alarm limit 7.1 mm/s"))
    assert work_order(PLANT, "P-101", alarm(8.0), []).value["priority"] == "high"
    assert work_order(PLANT, "P-101", alarm(11.0), []).value["priority"] == "urgent"
    assert work_order(PLANT, "P-101", _status(), []).value["priority"] == "medium"
    assert work_order(PLANT, "P-101", alarm(11.0), [], priority="low").value["priority"] == "low"
    assert work_order(PLANT, "P-101", _status(), [], parts=True).value["parts"][0] == {"part": "BRG-6205", "qty": 2}
    with pytest.raises(Stop, match="WO-1 .* is already open for P-101"):
        work_order(PLANT, "P-101", _status(), [WorkOrder.model_construct(id="WO-1", machine_id="P-101", title="x",
                                                                         priority="high", status="open")])


ORDERS = [ProductionOrderRecord.model_construct(**o) for o in (
    {"id": "PO-L2-0107", "line": "L2", "product": "CL-500", "variant": "CL-500-STD", "status": "in_progress",
     "quantity": 12000, "produced": 7420},
    {"id": "PO-L2-0108", "line": "L2", "product": "CL-500", "variant": "CL-500-RED-TE", "status": "planned",
     "quantity": 3000, "produced": 0},
)]


def test_the_running_order_and_the_variant_by_colour_and_options() -> None:
    red_cap = production_change(PLANT, ORDERS, line="L2", colour="red", options=["tamper_evident_cap"])
    assert red_cap.value == {"order_id": "PO-L2-0107", "variant": "CL-500-RED-TE"}
    with pytest.raises(AskBack, match="CL-500-RED or CL-500-RED-TE"):  # two red variants: asked, not guessed
        production_change(PLANT, ORDERS, line="L2", colour="red")
    long_life = production_change(PLANT, ORDERS, line="L2", colour="red", options=["long_life"])
    assert long_life.value["variant"] == "CL-500-RED"
    with pytest.raises(Stop, match="no such variant"):
        production_change(PLANT, ORDERS, order="PO-L2-0107", colour="blue")
    with pytest.raises(Stop, match="cannot go below"):
        production_change(PLANT, ORDERS, order="PO-L2-0107", quantity=5000)
    with pytest.raises(AskBack, match="the variant or the quantity"):
        production_change(PLANT, ORDERS, order="PO-L2-0108")
    with_orders = [*ORDERS, ProductionOrderRecord.model_construct(
        id="PO-L1-0042", line="L1", product="HX-200", variant="HX-200-GRY", status="in_progress", quantity=800,
        produced=100)]
    by_cap = production_change(PLANT, with_orders, colour="red", options=["tamper_evident_cap"])  # only CL-500 has it
    assert by_cap.value == {"order_id": "PO-L2-0107", "variant": "CL-500-RED-TE"}
    more_red = production_change(PLANT, ORDERS, order="PO-L2-0108", colour="red", quantity=3500)  # red says which order
    assert more_red.value == {"order_id": "PO-L2-0108", "quantity": 3500}
    assert production_change(PLANT, ORDERS, order="PO-L2-0108", colour="red", added=500).value == more_red.value
    with pytest.raises(Stop, match="cannot go below"):  # 7420 of 12000 made: 5000 fewer is too few
        production_change(PLANT, ORDERS, order="PO-L2-0107", added=-5000)


def test_options_taken_off_name_the_variant_with_the_others() -> None:
    queued = production_change(PLANT, ORDERS, line="L2", without=["tamper_evident_cap"],
                               said="the red run queued after the current one, drop the tamper-evident cap")
    assert queued.value == {"order_id": "PO-L2-0108", "variant": "CL-500-RED"}
    with_quantity = production_change(PLANT, ORDERS, order="PO-L2-0108", without=["tamper_evident_cap"], added=500)
    assert with_quantity.value == {"order_id": "PO-L2-0108", "variant": "CL-500-RED", "quantity": 3500}
    with pytest.raises(Stop, match="no red variant without long life"):  # red with the cap alone is not made
        production_change(PLANT, ORDERS, order="PO-L2-0108", without=["long_life"])
    with pytest.raises(Stop, match="no red variant without long life"):  # the line's one order with it, not
        production_change(PLANT, ORDERS, line="L2", without=["long_life"])  # the running green one without
    with pytest.raises(Stop, match="no option uv stabilised to take off"):
        production_change(PLANT, ORDERS, line="L2", without=["uv_stabilised"])


PLANT_ORDERS = [ProductionOrderRecord.model_construct(**o) for o in (
    {"id": "PO-L1-0042", "line": "L1", "product": "HX-200", "variant": "HX-200-GRY", "status": "in_progress",
     "quantity": 2400, "produced": 1130},
    {"id": "PO-L1-0043", "line": "L1", "product": "HX-200", "variant": "HX-200-BLU-UV", "status": "planned",
     "quantity": 800, "produced": 0},
    {"id": "PO-L1-0044", "line": "L1", "product": "HX-200", "variant": "HX-200-GRY", "status": "planned",
     "quantity": 500, "produced": 0},
    *[o.__dict__ for o in ORDERS],
)]


@pytest.mark.parametrize(("said", "slots", "order", "change"), [
    ("the red run queued after the current one should be 5000", {"colour": "red", "quantity": 5000},
     "PO-L2-0108", {"quantity": 5000}),
    ("the blue UV job: make it 1000", {"colour": "blue", "options": ["uv_stabilised"], "quantity": 1000},
     "PO-L1-0043", {"quantity": 1000}),
    ("the next order on line 1 should be 600 pieces", {"line": "L1", "quantity": 600}, "PO-L1-0043",
     {"quantity": 600}),
    ("der nächste Auftrag auf Linie 2: 3500 Stück", {"line": "L2", "quantity": 3500}, "PO-L2-0108",
     {"quantity": 3500}),
    ("make the running L2 order red with the tamper cap", {"line": "L2", "colour": "red",
                                                           "options": ["tamper_evident_cap"]},
     "PO-L2-0107", {"variant": "CL-500-RED-TE"}),
    ("add 400 to the grey housing order", {"product": "HX-200", "colour": "grey", "added": 400}, "PO-L1-0042",
     {"quantity": 2800}),
])
def test_an_order_named_by_its_place_colour_and_options_is_the_one_meant(said, slots, order, change) -> None:
    decided = production_change(PLANT, PLANT_ORDERS, said=said, **slots)
    assert decided.value == {"order_id": order, **change}


@pytest.mark.parametrize(("said", "slots", "order", "change"), [
    ("put the navy up to 8500 kg", {"colour": "navy", "quantity": 8500}, "PO-D1-0311", {"quantity": 8500}),
    ("the navy to 32 thousand metres", {"colour": "navy", "quantity": 32000}, "PO-F1-0207", {"quantity": 32000}),
    ("switch the olive batch to sand", {"line": "D1", "colour": "sand"}, "PO-D1-0312",
     {"variant": "TW-240-SAND"}),
    ("the olive batch queued after the navy, customer wants it in sand instead", {"colour": "olive"}, "PO-D1-0312",
     {"variant": "TW-240-SAND"}),  # the model took the order's colour for the new one
    ("the olive one, make it 14000", {"line": "F1", "quantity": 14000}, "PO-F1-0209", {"quantity": 14000}),
    ("the navy water-repellent finishing job: drop the water repellent, softener only",
     {"colour": "navy", "options": ["softener"], "without": ["water_repellent"]}, "PO-F1-0208",
     {"variant": "TW-240F-NAVY-SOFT"}),  # the option taken off is the order's: not the running navy
])
def test_an_order_is_told_by_its_line_s_unit_and_by_the_colour_it_changes_from(said, slots, order, change) -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # dyeing counts in kg, finishing in metres
    orders = [ProductionOrderRecord.model_construct(**o.model_dump()) for o in dyehouse.production_orders]
    assert production_change(dyehouse, orders, said=said, **slots).value == {"order_id": order, **change}


def test_an_order_s_unit_is_read_in_the_request_s_language() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    orders = [ProductionOrderRecord.model_construct(**o.model_dump()) for o in dyehouse.production_orders]
    said = "onu 7500 kiloya dusur"  # Turkish "kilo" with its case ending: the line that counts in kg
    assert production_change(dyehouse, orders, said=said, quantity=7500, lang="tr").value == {
        "order_id": "PO-D1-0311", "quantity": 7500}
    with pytest.raises(AskBack, match="PO-D1-0311 or PO-F1-0207"):
        production_change(dyehouse, orders, said=said, quantity=7500)


def test_an_order_described_by_a_colour_several_lines_run_is_asked_among_those_in_it() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # olive is dyed on D1 and finished on F1
    orders = [ProductionOrderRecord.model_construct(**o.model_dump()) for o in dyehouse.production_orders]
    with pytest.raises(AskBack, match=r"^Which production order: PO-D1-0312 or PO-F1-0209\?$"):
        production_change(dyehouse, orders, colour="sand", said="switch the olive batch to sand")


def test_an_order_named_by_a_place_several_lines_share_is_asked_back() -> None:
    with pytest.raises(AskBack, match="PO-L1-0043 or PO-L2-0108"):
        production_change(PLANT, PLANT_ORDERS, said="the next order should be 900", quantity=900)


@pytest.mark.parametrize(("request_", "procedure", "slots", "told"), [
    ("What is the status of pump P-999?", "machine_status_and_diagnosis", {"machine": "P-101"},
     "the plant has no P-999; its machines are P-101"),
    ("Change PO-L1-0043 to variant HX-200-RED.", "change_production", {"order": "PO-L1-0043", "variant": "HX-200-BLU"},
     "the plant has no HX-200-RED; its variants are HX-200-GRY"),
    ("Order 5 pieces of part XYZ-1 from SUP-NORD.", "order_part", {"part": "BRG-6205", "supplier": "SUP-NORD"},
     "no XYZ-1; its parts are"),
])
def test_a_name_the_plant_lacks_is_told_not_guessed(request_, procedure, slots, told) -> None:
    assert told in unknown_name(request_, SHIPPED.get(procedure), slots, PLANT)


def test_names_the_request_gives_or_the_plant_has_pass() -> None:
    maintenance = SHIPPED.get("report_to_maintenance")
    assert unknown_name("P-101 vibrates, see WO-00001", maintenance, {"machine": "P-101"}, PLANT) is None
    assert unknown_name("the CP-80 pump vibrates", maintenance, {"machine": "P-101"}, PLANT) is None
    assert unknown_name("the pump vibrates", maintenance, {"machine": "P-101"}, PLANT) is None
    assert unknown_name("RE-CHECKED the pump: it vibrates", maintenance, {"machine": "P-101"}, PLANT) is None


def test_a_wording_that_brings_a_number_or_an_id_the_lines_lack_is_not_used() -> None:
    lines = "- IM-103 barrel_temp_setpoint 230 → 235 degC (+5 degC)\n- Waiting for approval: PO-L2-0107 quantity 12000"
    assert faithful("IM-103 Zylindertemperatur 230 → 235 °C (+5 °C); PO-L2-0107 Menge 12.000 wartet", lines)
    assert not faithful("IM-103 Zylindertemperatur 230 → 265 °C; PO-L2-0107", lines)  # 265 is nowhere in the lines
    assert not faithful("IM-104 Zylindertemperatur 230 → 235 °C", lines)  # another machine
    assert not faithful("", lines)
    assert stands_for("Die Zylindertemperatur von IM-103 steht jetzt auf 235 °C statt 230 °C; PO-L2-0107 wartet "
                      "auf Freigabe", lines, "de")
    assert not stands_for("The injection moulder IM-103 runs with its barrel at 230 degrees; PO-L2-0107", lines, "de")
    # a wording that says nothing of a line (the order waiting) leaves out a fact
    assert not stands_for("Die Zylindertemperatur von IM-103 steht jetzt auf 235 °C statt 230 °C", lines, "de")
    parts = "- BRG-22210 (Spherical roller bearing 22210 E): 4 pcs in stock, reorder point 4"
    assert not stands_for("Łożysko baryłkowe 22210 E: 4 sztuki w magazynie, punkt zamówienia 4", parts, "pl")
    assert stands_for("BRG-22210 (łożysko baryłkowe 22210 E): 4 sztuki w magazynie, punkt zamówienia 4", parts, "pl")
    change = "- OV-201 temperature setpoint 180 → 175 °C (-5 °C)\n- Done: OV-201 temperature setpoint 180 → 175 °C"
    worded = "Die Temperatur wurde von 180 auf 175 °C gesenkt (-5 °C); erledigt: 180 → 175 °C."
    assert stands_for(worded, change, "de", frozenset({"OV-201"}))  # the machine the operator named: known
    assert not stands_for(worded, change, "de")


def test_a_wording_that_runs_on_repeating_itself_stops_at_its_first_repeat() -> None:
    told = "IM-103 steht auf 235 °C. PO-L2-0107 wartet auf Freigabe. "
    assert told_once(told + "Der Sollwert wurde gesetzt. " * 40) == told + "Der Sollwert wurde gesetzt."
    assert told_once(told) == told
    lines = "- IM-103 barrel_temp_setpoint 230 → 235 degC (+5 degC)\n- Waiting for approval: PO-L2-0107 quantity 12000"
    assert not stands_for(told_once("IM-103: " + "Die Antwort ist: " * 40), lines, "de")  # runs on, no sentence
    listed = "- A-1 (Lager): 1 Stück, Angebote: SUP-A 14.80\n- B-2 (Dichtung): 2 Stück, Angebote: SUP-B 1.50"
    assert told_once(listed) == listed and stands_for(listed, listed, "de")  # a list's words come back, in order


def test_an_unclear_part_is_asked_back_and_an_untyped_order_id_is_dropped() -> None:
    order = SHIPPED.get("order_part")
    slots, stop, question = checked("order some seals", order, {"part": "SEAL-M25"}, PLANT)
    assert stop is None and "SEAL-M25" in question and "HYD-SEAL-KIT-250" in question and "VLV-SEAL-RF12" in question
    assert checked("we're low on the 6205 bearings", order, {"part": "BRG-6205"}, PLANT)[2] is None
    assert checked("restock the conveyor belts", order, {"part": "BELT-BL40"}, PLANT)[2] is None  # one part fits
    change = SHIPPED.get("change_production")
    slots, _, _ = checked("make the running coolant order red", change, {"order": "PO-L1-0042", "product": "CL-500",
                                                                         "colour": "red"}, PLANT)
    assert slots == {"product": "CL-500", "colour": "red"}


def test_a_measured_value_named_for_a_write_is_told_not_swapped_for_a_setpoint() -> None:
    change = SHIPPED.get("change_setpoints")
    _, stop, _ = checked("Write 2.0 into the vibration tag of P-101", change,
                         {"machine": "P-101", "changes": [{"tag": "speed_setpoint", "to": 2.0}]}, PLANT)
    assert stop == ("P-101 vibration is a measured value, not a setpoint: it cannot be written; "
                    "P-101's setpoints are speed setpoint")
    assert checked("set P-101 speed_setpoint to 2300, vibration is high", change,
                   {"machine": "P-101", "changes": [{"tag": "speed_setpoint", "to": 2300}]}, PLANT)[1] is None


def test_a_reading_named_for_a_change_means_the_setpoint_that_drives_it() -> None:
    change = SHIPPED.get("change_setpoints")
    for request, machine, filed, driving in [
        ("turn the filler speed up by 5", "FL-202", "speed", "speed_setpoint"),
        ("knock the barrel temp on the moulder down 5", "IM-103", None, "barrel_temp_setpoint"),
        ("the zone temperature on the oven needs to come down 5", "OV-201", "zone_temp", "temp_setpoint"),
        ("HP-102 hydraulic pressure down 10 bar", "HP-102", "stroke_rate_setpoint", "pressure_setpoint"),
    ]:
        slots, stop, _ = checked(request, change, {"machine": machine, "changes": [{"tag": filed, "by": -5}]}, PLANT)
        assert stop is None and slots["changes"][0]["tag"] == driving, request
    # a reading no setpoint drives is still told, not swapped: P-101's discharge pressure has none
    _, stop, _ = checked("raise the discharge pressure of P-101 by 1", change,
                         {"machine": "P-101", "changes": [{"tag": "speed_setpoint", "by": 1}]}, PLANT)
    assert stop.startswith("P-101 discharge pressure is a measured value, not a setpoint")


def test_the_copilots_own_question_names_nothing_the_operator_said() -> None:
    change = SHIPPED.get("change_setpoints")
    request = asked_back("Put FL-202 on 505", "Which setpoint of FL-202: fill setpoint or speed setpoint?",
                         "the fill one")
    slots, stop, _ = checked(request, change, {"machine": "FL-202", "changes": [{"tag": "fill_setpoint", "to": 505}]},
                             PLANT)
    assert stop is None and slots["changes"][0]["tag"] == "fill_setpoint"


def test_a_number_the_request_does_not_have_is_dropped_and_a_percentage_stays_one() -> None:
    order = SHIPPED.get("order_part")
    slots, _, _ = checked("we're nearly out of the 6205 bearings, get some in", order,
                          {"part": "BRG-6205", "quantity": 6}, PLANT)
    assert slots == {"part": "BRG-6205"}  # the procedure decides the quantity from the reorder point
    four, _, _ = checked("get us four of the 6205 bearings", order, {"part": "BRG-6205", "quantity": 4}, PLANT)
    assert four["quantity"] == 4
    twelve, _, _ = checked("Bestell zwölf Lager 6205", order, {"part": "BRG-6205", "quantity": 12}, PLANT, lang="de")
    assert twelve["quantity"] == 12
    thousand, _, _ = checked("order 1,000 of the 6205 bearings", order, {"part": "BRG-6205", "quantity": 1000}, PLANT)
    assert thousand["quantity"] == 1000
    change = SHIPPED.get("change_setpoints")
    slots, _, _ = checked("Die Pumpe P-101 vibriert, fahr sie zehn Prozent langsamer.", change,
                          {"machine": "P-101",
                           "changes": [{"tag": "speed_setpoint", "to": None, "by": -10, "percent": None}]},
                          PLANT, lang="de")
    assert slots["changes"] == [{"tag": "speed_setpoint", "to": None, "by": None, "percent": -10}]
    slots, _, _ = checked("turn OV-201 down a bit", change,
                          {"machine": "OV-201",
                           "changes": [{"tag": "temp_setpoint", "to": 175, "by": None, "percent": None}]}, PLANT)
    assert slots["changes"] == [{"tag": "temp_setpoint", "to": None, "by": None, "percent": None}]  # asked, not guessed
    trend = SHIPPED.get("tag_history_trend")
    slots, _, _ = checked("What is the vibration of P-101 right now?", trend,
                          {"machine": "P-101", "tag": "vibration", "minutes": 0}, PLANT)
    assert slots == {"machine": "P-101", "tag": "vibration"}
    record = SHIPPED.get("record_inspection_result")
    slots, _, _ = checked("30 parts inspected on IM-103, no defects", record,
                          {"machine": "IM-103", "inspected": 30, "defects": 0}, PLANT)
    assert slots == {"machine": "IM-103", "inspected": 30, "defects": 0}

    slots, _, _ = checked("run FL-202 ten percent slower", change,
                          {"machine": "FL-202",
                           "changes": [{"tag": "speed_setpoint", "to": None, "by": -10, "percent": 10}]}, PLANT)
    assert slots["changes"] == [{"tag": "speed_setpoint", "to": None, "by": None, "percent": -10}]
    slots, _, _ = checked("slow FL-202 down by 10 bottles a minute", change,
                          {"machine": "FL-202",
                           "changes": [{"tag": "speed_setpoint", "to": None, "by": -10, "percent": 10}]}, PLANT)
    assert slots["changes"] == [{"tag": "speed_setpoint", "to": None, "by": -10, "percent": None}]

def test_a_part_named_in_the_restated_request_is_that_part() -> None:
    order = SHIPPED.get("order_part")
    slots, _, question = checked("Le réducteur du convoyeur CV-203, on n'en a plus du tout en stock. Commande-en.",
                                 order, {"part": "BELT-BL40"}, PLANT, lang="fr",
                                 english="We have no gearbox for the CV-203 left in stock. Order one.")
    assert question is None and slots == {"part": "GBX-BL40"}



def test_a_change_filed_under_a_setpoint_that_cannot_take_it_goes_to_the_one_that_can_if_the_request_names_none():
    filler = _status(fill_setpoint=500.0, speed_setpoint=80.0)
    # HP-102's stroke rate on the filler: -10 % of the fill (450 ml) is below its limit, of the speed 72 bpm fits
    slower = setpoint_targets(PLANT, "FL-202", [{"tag": "stroke_rate_setpoint", "percent": -10}], filler,
                              said="FL-202 is slopping everywhere, run it ten percent slower")
    assert slower.value == [{"machine_id": "FL-202", "tag": "speed_setpoint", "value": 72.0}]
    assert ("stroke rate setpoint is not one of its setpoints and the request names no setpoint: "
            "speed setpoint, which can") in slower.note
    # the fill by -10 is past its step of 5 ml; the speed by -10 bpm is inside its step of 20
    fewer = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "by": -10}], filler,
                             said="La llenadora va demasiado rápido, bájale 10 botellas por minuto.")
    assert fewer.value[0]["tag"] == "speed_setpoint" and fewer.value[0]["value"] == 70.0
    fewer = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "by": -10}], filler,
                             # "filler" names the machine
                             said="The filler is going too fast, lower it by 10 bottles a minute")
    assert fewer.value[0]["tag"] == "speed_setpoint" and fewer.value[0]["value"] == 70.0
    # named by a word of its name or by its unit: the request's setpoint stays, and the gate refuses it
    for said in ("the fill 10 less", "10 ml less in each bottle"):
        kept = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "by": -10}], filler, said=said)
        assert kept.value == [{"machine_id": "FL-202", "tag": "fill_setpoint", "value": 490.0}]
    # it can go where asked: it stays, named or not
    inside = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "by": -4}], filler)
    assert inside.value[0]["tag"] == "fill_setpoint"
    # no other setpoint can take it either: the gate refuses it with the limit
    past = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "to": 2000}], filler)
    assert past.value[0]["tag"] == "fill_setpoint"
    # a setpoint the machine lacks that none of its own can take is asked back, as two that can
    with pytest.raises(AskBack, match="FL-202 has no stroke rate setpoint"):
        setpoint_targets(PLANT, "FL-202", [{"tag": "stroke_rate_setpoint", "to": 2000}], filler)
    with pytest.raises(AskBack, match="FL-202 has no stroke rate setpoint"):
        setpoint_targets(PLANT, "FL-202", [{"tag": "stroke_rate_setpoint", "by": 1}], filler)
    # two changes never land on one setpoint
    both = setpoint_targets(PLANT, "FL-202", [{"tag": "fill_setpoint", "to": 90}, {"tag": "speed_setpoint", "to": 95}],
                            filler)
    assert [t["tag"] for t in both.value] == ["fill_setpoint", "speed_setpoint"]


def test_a_change_named_by_no_setpoint_that_several_others_could_take_is_asked_back() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    stenter = _status(temp_setpoint=170.0, speed_setpoint=30.0, overfeed_setpoint=4.0, width_setpoint=160.0)
    with pytest.raises(AskBack, match="ST-202 overfeed setpoint cannot take this change; which setpoint did you "
                                      "mean: temperature setpoint or speed setpoint?"):
        setpoint_targets(dyehouse, "ST-202", [{"tag": "overfeed_setpoint", "by": -5}], stenter,
                         said="take the stenter down 5")


def test_degrees_name_a_temperature_setpoint_so_a_step_too_large_stays_on_it() -> None:
    moulder = _status(barrel_temp_setpoint=230.0, hold_pressure_setpoint=600.0)
    up = setpoint_targets(PLANT, "IM-103", [{"tag": "barrel_temp_setpoint", "by": 15}], moulder,
                          said="IM-103 up 15 degrees")
    assert up.value[0]["tag"] == "barrel_temp_setpoint"  # refused by the gate: past its step of 10 degC
    # a temperature asked of a machine without one is not some other setpoint of it: asked back
    with pytest.raises(AskBack, match="P-101 has no barrel temperature setpoint; its setpoints are speed setpoint"):
        setpoint_targets(PLANT, "P-101", [{"tag": "barrel_temp_setpoint", "by": -5}], _status(speed_setpoint=2400.0),
                         said="turn the heat down 5 degrees")


def test_an_optional_machine_nobody_named_is_dropped() -> None:
    jobs = SHIPPED.get("open_work_orders_list")
    slots, stop, _ = checked("any maintenance jobs still open on line 1?", jobs, {"machine": "HP-102", "line": "L1"},
                             PLANT)
    assert stop is None and slots == {"line": "L1"}
    # named by the conversation ("it"), or by the request in words, it stays
    slots, _, _ = checked("any jobs still open on it?", jobs, {"machine": "HP-102", "line": None}, PLANT,
                          earlier="HP-102 hydraulic press is running; no active alarm")
    assert slots["machine"] == "HP-102"
    slots, _, _ = checked("what jobs are still open on the press?", jobs, {"machine": "HP-102", "line": None}, PLANT)
    assert slots["machine"] == "HP-102"
    # a required machine is the model's to fill: the gate and the procedure's reads stand behind it
    change = SHIPPED.get("change_setpoints")
    slots, _, _ = checked("bring the temperature down 5", change,
                          {"machine": "OV-201", "changes": [{"tag": "temp_setpoint", "by": -5}]}, PLANT)
    assert slots["machine"] == "OV-201"


def test_a_phrase_that_names_the_machine_names_no_part() -> None:
    order = SHIPPED.get("order_part")
    slots, _, question = checked("order a full set of bearings for the outfeed belt, whoever's quickest", order,
                                 {"part": "BELT-BL40"}, PLANT)
    assert question is None and slots["part"] == "BRG-6205"
    slots, _, question = checked("order a belt for the outfeed conveyor", order,
                                 {"part": "BRG-6205"}, PLANT)
    assert question is None and slots["part"] == "BELT-BL40"


def test_a_part_number_said_in_the_plural_names_the_part() -> None:
    order = SHIPPED.get("order_part")
    slots, _, question = checked("order 10 of the 6205s from whoever's greenest", order,
                                 {"part": "BRG-6205", "quantity": 10}, PLANT)
    assert question is None and slots["part"] == "BRG-6205"
    inventory = SHIPPED.get("inventory_check")
    slots, _, question = checked("Haben wir noch 6205er Lager?", inventory, {"part": "BRG-6205"}, PLANT, lang="de",
                                 english="Do we still have 6205er granules?")  # a restatement's wrong word
    assert question is None and slots["part"] == "BRG-6205"


def test_a_set_of_a_machines_part_is_as_many_as_its_bill_of_materials_holds() -> None:
    order = SHIPPED.get("order_part")
    slots, _, question = checked("order a full set of bearings for the outfeed belt, whoever's quickest", order,
                                 {"part": "BRG-6205", "quantity": 20}, PLANT)
    conveyor = next(b.qty for b in PLANT.machines["CV-203"].bom if b.part == "BRG-6205")
    assert question is None and slots["quantity"] == conveyor == 4
    slots, _, _ = checked("bestell einen kompletten Satz Lager für das Auslaufband", order, {"part": "BRG-6205"},
                          PLANT, lang="de", english="order a complete set of bearings for the outfeed conveyor")
    assert slots["quantity"] == 4
    # a number said, no set asked, or "set" as a verb: the count stays the request's (or the procedure's to decide)
    assert checked("order 2 bearings for the outfeed belt", order, {"part": "BRG-6205", "quantity": 2},
                   PLANT)[0]["quantity"] == 2
    assert "quantity" not in checked("order bearings for the outfeed belt", order, {"part": "BRG-6205"}, PLANT)[0]
    assert "quantity" not in checked("set up an order of bearings for the outfeed belt", order,
                                     {"part": "BRG-6205"}, PLANT)[0]
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # the padder takes four
    assert checked("we need a full set of bearings for the padder, whoever can deliver soonest", order,
                   {"part": "BRG-22210"}, dyehouse)[0]["quantity"] == 4
    assert checked("we need a full set of bearings for the padder, whoever can deliver soonest", order,
                   {"part": "BRG-22210", "quantity": 1}, dyehouse)[0]["quantity"] == 4  # "a" full set: one set


def test_a_purchase_flag_the_model_set_holds_only_where_the_request_buys_but_a_callers_own_holds() -> None:
    report = SHIPPED.get("report_to_maintenance")
    given = {"machine": "IM-103", "symptom": "check ring worn", "order_spare_parts": True, "part": "CHK-RING-IM150"}
    fitter = "get a fitter to check the check ring on the moulder"
    slots, _, _ = checked(fitter, report, dict(given), PLANT)
    assert "order_spare_parts" not in slots
    slots, _, _ = checked("get a fitter to the moulder, the check ring is going", report, {**given, "quantity": 1},
                          PLANT)
    assert "order_spare_parts" not in slots  # "a fitter" counts no part to buy
    slots, _, _ = checked("get a fitter to the moulder and 2 of the check rings", report, {**given, "quantity": 2},
                          PLANT)
    assert slots["order_spare_parts"] is True
    slots, _, _ = checked(f"{fitter} and order a new one", report, dict(given), PLANT)
    assert slots["order_spare_parts"] is True
    slots, _, _ = checked("IM-103: bearing wear rising, vibration 7.1 mm/s", report, dict(given), PLANT,
                          by_model=False)  # the monitor's own call
    assert slots["order_spare_parts"] is True


def test_of_the_parts_a_request_fits_the_one_whose_name_shares_the_most_words_is_named() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # a roller bearing and a roller cover in its BOM
    order = SHIPPED.get("order_part")
    slots, _, question = checked("two new roller covers for the padder, cheapest", order, {"part": "BRG-22210"},
                                 dyehouse)
    assert question is None and slots["part"] == "ROLL-CVR-FM2"
    _, _, question = checked("some roller parts for the padder", order, {"part": "BRG-22210"}, dyehouse)
    assert "BRG-22210" in question and "ROLL-CVR-FM2" in question  # as many words each: asked back


def test_a_reading_the_machine_lacks_is_the_one_the_request_names_or_asked_back() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    trend = SHIPPED.get("tag_history_trend")
    slots, stop, question = checked("how has the stenter's chamber temperature moved since noon?", trend,
                                    {"machine": "ST-202", "tag": "nip_pressure"}, dyehouse)
    assert (stop, question, slots["tag"]) == (None, None, "chamber_temp")
    slots, stop, question = checked("what temperature is the stenter at?", trend,
                                    {"machine": "ST-202", "tag": "nip_pressure"}, dyehouse)
    assert (stop, question, slots["tag"]) == (None, None, "chamber_temp")  # not its setpoint: the status tells it
    slots, stop, question = checked("what's the count on the stenter?", trend,
                                    {"machine": "ST-202", "tag": "nip_pressure"}, dyehouse)
    assert stop is None and "tag" not in slots
    assert question == "Which of ST-202's readings: good count, reject count?"
    slots, _, question = checked("trend the stenter's overfeed", trend, {"machine": "ST-202", "tag": "overfeed"},
                                 dyehouse)
    assert question is None and slots["tag"] == "overfeed"


def test_the_words_for_how_to_choose_a_supplier_name_no_part() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # SEAL-M30 is "SiC/carbon"
    order = SHIPPED.get("order_part")
    slots, _, question = checked("order 8 of them, lowest carbon", order, {"part": "BRG-22210", "quantity": 8},
                                 dyehouse, earlier="what bearings go in the stenter?\n- ST-202: BRG-6310 (4 fitted)")
    assert question is None and slots["part"] == "BRG-6310"  # the part the conversation named, not the seal


@pytest.mark.parametrize(("lang", "request_", "english", "machine", "part"), [
    ("pl", "Jakie łożyska siedzą w napawarce?", "What parts are in the loading door?", "PD-201", "BRG-22210"),
    ("it", "Ordina 2 guarnizioni della porta per il jet", "Order 2 guards for the jet", "JD-102", "GSK-HJ400-DOOR"),
    ("de", "Die Pumpe braucht eine neue Gleitringdichtung", "The pump needs a new mechanical sell", "WP-101",
     "SEAL-M30"),
])
def test_a_part_is_told_by_the_operators_own_word_before_a_restatements(lang, request_, english, machine, part):
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    inventory = SHIPPED.get("inventory_check")
    slots, _, question = checked(request_, inventory, {"part": "NOZ-HJ400", "machine": machine}, dyehouse, lang=lang,
                                 english=english)
    assert question is None and slots["part"] == part


def test_a_count_the_model_left_empty_is_the_one_amount_the_request_says_in_the_plant_s_counting_unit() -> None:
    change = SHIPPED.get("change_production")
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")  # dyeing counts in kg, finishing in metres

    def count(request: str, **given) -> dict:
        slots = checked(request, change, {"colour": "navy", **given}, dyehouse)[0]
        return {k: v for k, v in slots.items() if k in ("quantity", "added")}

    assert count("take the navy on the jet down to 7.2 tonnes") == {"quantity": 7200}
    assert count("the navy on the jet: 500 kg more") == {"added": 500}
    assert count("the navy finishing order, make it 32 thousand metres") == {"quantity": 32000}
    assert count("the navy on the jet down to 7.2 tonnes", quantity=7) == {"quantity": 7200}  # not 7 kg
    assert count("change the navy on the jet by 500 kg") == {}  # which way is not said: asked
    assert count("the navy on the jet: 2 degrees cooler") == {}  # no counter's unit
    assert count("the navy: 7 tonnes, or 7.5 if the dye allows") == {}  # two amounts: the model's to read


def test_a_follow_up_s_part_is_the_one_of_those_just_named_that_the_request_before_asked_about() -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    order = SHIPPED.get("order_part")
    asked = "Jakie łożyska siedzą w napawarce?"  # which bearings are in the padder
    answered = ("- BRG-22210 (Spherical roller bearing 22210 E): 4 pcs in stock\n"
                "- ROLL-CVR-FM2 (Mangle roller cover, nitrile rubber 80 Shore A, for FM-2): 0 pcs in stock")
    slots, _, question = checked("zamów 4 sztuki, najtaniej", order, {"part": "BRG-6306", "quantity": 4},
                                 dyehouse, lang="pl", earlier=f"{asked}\n\n{answered}", before=asked)
    assert question is None and slots["part"] == "BRG-22210"  # not the roller cover, typed last
    slots, _, _ = checked("order 2, cheapest", order, {"part": "BRG-6306", "quantity": 2}, dyehouse,
                          earlier=f"what's low for the padder?\n\n{answered}", before="what's low for the padder?")
    assert slots["part"] == "ROLL-CVR-FM2"  # the request before fits neither: the part typed last


@pytest.mark.parametrize(("said", "told"), [
    ("what's lined up after the navy?", ["PO-D1-0312", "PO-F1-0208"]),  # navy runs on both lines
    ("what's the next coral batch?", ["PO-D1-0313"]),  # coral runs nowhere: the next one of that colour
    ("is the navy still running?", ["PO-D1-0311", "PO-F1-0207"]),
    ("Que encomenda está a correr na linha de acabamento?", ["PO-D1-0311", "PO-F1-0207"]),
    ("how are the orders doing?", ["PO-D1-0309", "PO-D1-0311", "PO-D1-0312", "PO-D1-0313", "PO-F1-0207",
                                   "PO-F1-0208", "PO-F1-0209"]),
])
def test_an_orders_read_tells_the_orders_at_the_place_asked(said, told) -> None:
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    orders = [ProductionOrderRecord.model_construct(**o.model_dump()) for o in dyehouse.production_orders]
    decided = orders_at(dyehouse, orders, said)
    assert [o.id for o in decided.value] == told
    assert decided.note.startswith("production orders: ") and all(i in decided.note for i in told)
