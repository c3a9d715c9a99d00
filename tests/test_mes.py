"""The simulated MES served by uvicorn on loopback, over a real SQLite file and a real PlantSimulation."""

from __future__ import annotations

import httpx
import pytest
from http_services import serving

from connectors.catalogue import ProductionOrder
from connectors.errors import InvalidRequest, NotFound, Rejected
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.records import InspectionCreate, ProductionOrderChange
from connectors.site import DEMO_SITE
from simulator.faults import Fault, FaultBoard, FaultKind
from simulator.mes import create_mes_app, reset_mes
from simulator.physics import PlantSimulation

API = "/api/v1"
DEMO = load_plant(DEMO_SITE / "plant.yaml")
# the demo plant plus a finished order, to show that finished orders cannot change
FINISHED = ProductionOrder(id="PO-L1-0041", line="L1", product="HX-200", variant="HX-200-GRY", quantity=500,
                           produced=500, status="done")
PLANT = DEMO.model_copy(update={"production_orders": [FINISHED, *DEMO.production_orders]})


@pytest.fixture
def faults() -> FaultBoard:
    return FaultBoard()


@pytest.fixture
def plant_sim(faults) -> PlantSimulation:
    return PlantSimulation(PLANT, faults, seed=0)


@pytest.fixture
def mes_url(tmp_path, faults, plant_sim):
    with serving(create_mes_app(tmp_path / "mes.db", PLANT, faults, plant_sim)) as url:
        yield url


@pytest.fixture
async def mes(mes_url):
    async with MesClient(mes_url, timeout=10, connect_timeout=5) as client:
        yield client


def change(**fields) -> ProductionOrderChange:
    return ProductionOrderChange(**({"requested_by": "olga", "reason": "customer asked for red caps"} | fields))


# ---------------------------------------------------------------------------------------- lines and products


async def test_lines_products_and_live_line_status(mes, plant_sim):
    lines = await mes.lines()
    assert [(line.id, line.output_machine) for line in lines] == [("L1", "IM-103"), ("L2", "FL-202")]
    assert lines[0].machines == [m.id for m in PLANT.lines[0].machines]
    products = {p.id: p for p in await mes.products()}
    assert [v.id for v in products["CL-500"].variants] == ["CL-500-STD", "CL-500-RED", "CL-500-RED-TE"]
    assert products["CL-500"].variants[2].options == ["long_life", "tamper_evident_cap"]

    status = await mes.line_status("l2")
    live = plant_sim.snapshot()
    assert [m.machine_id for m in status.machines] == ["OV-201", "FL-202", "CV-203"]
    assert {m.state for m in status.machines} == {"running"}
    filler = status.machines[1]
    assert (filler.good_count, filler.reject_count) == (live["FL-202"]["good_count"], live["FL-202"]["reject_count"])
    assert status.current_order is not None and status.current_order.id == "PO-L2-0107"
    with pytest.raises(NotFound, match="unknown line 'L9'; the plant has: L1, L2"):
        await mes.line_status("L9")


async def test_offline_plc_shows_as_offline_without_values(mes, plant_sim):
    plant_sim.inject_fault(Fault(kind=FaultKind.plc_offline, machine_id="HP-102"))
    press = (await mes.line_status("L1")).machines[1]
    assert (press.machine_id, press.state, press.good_count, press.defect_rate) == ("HP-102", "offline", None, None)
    plant_sim.clear_faults()
    assert (await mes.line_status("L1")).machines[1].state == "running"


# ---------------------------------------------------------------------------------------- production orders


async def test_production_orders_come_from_the_plant_file(mes):
    orders = await mes.list_production_orders()
    assert [o.id for o in orders] == sorted(o.id for o in PLANT.production_orders)
    assert [o.id for o in await mes.list_production_orders(line="L2")] == ["PO-L2-0107", "PO-L2-0108"]
    assert [o.id for o in await mes.list_production_orders(status="planned")] == ["PO-L1-0043", "PO-L2-0108"]
    order = await mes.get_production_order("po-l2-0107")
    assert (order.product, order.product_name, order.variant) == ("CL-500", "Coolant concentrate 500 ml", "CL-500-STD")
    assert order.variants == ["CL-500-STD", "CL-500-RED", "CL-500-RED-TE"]
    assert (order.quantity, order.produced, order.remaining, order.changes) == (12000, 7420, 4580, [])
    with pytest.raises(NotFound, match="unknown production order 'PO-XX'"):
        await mes.get_production_order("PO-XX")
    with pytest.raises(NotFound, match="unknown line"):
        await mes.list_production_orders(line="L7")


async def test_variant_change_is_validated_and_kept_in_the_history(mes):
    changed = await mes.change_production_order("PO-L2-0107", change(variant="cl-500-red"), idempotency_key="c1")
    assert changed.variant == "CL-500-RED"
    [entry] = changed.changes
    assert (entry.field, entry.old, entry.new, entry.requested_by) == ("variant", "CL-500-STD", "CL-500-RED", "olga")
    assert entry.reason == "customer asked for red caps"

    with pytest.raises(Rejected, match="'HX-200-BLU' is not a variant of product CL-500; its variants are: CL-500-STD"):
        await mes.change_production_order("PO-L2-0107", change(variant="HX-200-BLU"), idempotency_key="c2")
    with pytest.raises(Rejected, match="below the 7420 already produced"):
        await mes.change_production_order("PO-L2-0107", change(quantity=7000), idempotency_key="c3")
    with pytest.raises(Rejected, match="PO-L1-0041 is done"):
        await mes.change_production_order("PO-L1-0041", change(quantity=600), idempotency_key="c4")
    with pytest.raises(NotFound):
        await mes.change_production_order("PO-NOPE", change(quantity=600), idempotency_key="c5")

    after = await mes.get_production_order("PO-L2-0107")
    assert (after.variant, after.quantity, len(after.changes)) == ("CL-500-RED", 12000, 1)
    both = await mes.change_production_order("PO-L2-0107", change(variant="CL-500-RED-TE", quantity=9000),
                                             idempotency_key="c6")
    assert [(c.field, c.old, c.new) for c in both.changes[1:]] == [
        ("variant", "CL-500-RED", "CL-500-RED-TE"), ("quantity", "12000", "9000")]
    assert (await mes.get_production_order("PO-L1-0041")).quantity == 500


async def test_change_needs_a_variant_or_a_quantity(mes_url):
    with pytest.raises(ValueError, match="give a new variant, a new quantity, or both"):
        ProductionOrderChange(requested_by="olga")
    async with httpx.AsyncClient(base_url=mes_url + API) as http:
        empty = await http.patch("/production-orders/PO-L2-0107", json={"requested_by": "olga"},
                                 headers={"Idempotency-Key": "e"})
    assert empty.status_code == 422 and "give a new variant" in empty.json()["detail"]


async def test_same_key_replays_the_change_once(mes):
    first = await mes.change_production_order("PO-L1-0043", change(quantity=900), idempotency_key="once")
    again = await mes.change_production_order("PO-L1-0043", change(quantity=900), idempotency_key="once")
    assert again == first and len(first.changes) == 1
    with pytest.raises(Rejected, match="already used"):
        await mes.change_production_order("PO-L1-0043", change(quantity=950), idempotency_key="once")
    order = await mes.get_production_order("PO-L1-0043")
    assert (order.quantity, len(order.changes)) == (900, 1)
    with pytest.raises(InvalidRequest):
        await mes.change_production_order("PO-L1-0043", change(quantity=950), idempotency_key="")


async def test_good_parts_of_the_output_machine_are_booked_to_the_order_in_progress(mes, plant_sim):
    before = await mes.get_production_order("PO-L1-0042")
    counter = plant_sim.read("IM-103", "good_count")
    plant_sim.tick(600)
    made = plant_sim.read("IM-103", "good_count") - counter
    assert made > 0
    after = await mes.get_production_order("PO-L1-0042")
    assert after.produced == before.produced + made
    assert (await mes.get_production_order("PO-L1-0043")).produced == 0  # planned orders get nothing
    with pytest.raises(Rejected, match=f"below the {after.produced} already produced"):
        await mes.change_production_order("PO-L1-0042", change(quantity=before.produced), idempotency_key="q")


# ---------------------------------------------------------------------------------------- quality


async def test_quality_report_from_live_counters_and_inspections(mes, plant_sim):
    start = plant_sim.snapshot()["IM-103"]
    plant_sim.tick(300)
    now = plant_sim.snapshot()["IM-103"]
    report = await mes.quality(line="L1", since_minutes=60)
    assert [m.machine_id for m in report.machines] == ["HP-102", "IM-103"]  # the pump measures no quality
    moulder = report.machines[1]
    assert (moulder.good_count, moulder.reject_count) == (now["good_count"], now["reject_count"])
    assert moulder.good_in_window == now["good_count"] - start["good_count"]
    assert moulder.rejects_in_window == now["reject_count"] - start["reject_count"]
    assert moulder.defect_rate == pytest.approx(now["defect_rate"], abs=1e-3)
    assert moulder.inspections == []

    inspection = await mes.record_inspection(
        InspectionCreate(machine_id="im-103", inspected=50, defects=4, defect_type="short shot",
                         note="after barrel temperature change", requested_by="quinn"),
        idempotency_key="ins-1",
    )
    assert (inspection.machine_id, inspection.line_id, inspection.defect_rate) == ("IM-103", "L1", 8.0)
    report = await mes.quality(machine_id="IM-103", since_minutes=5)
    assert [i.id for i in report.machines[0].inspections] == [inspection.id]
    pump = await mes.quality(machine_id="P-101")
    assert pump.machines[0].good_count is None and pump.machines[0].good_in_window is None
    with pytest.raises(Rejected, match="IM-103 is on line L1, not L2"):
        await mes.quality(line="L2", machine_id="IM-103")
    with pytest.raises(NotFound, match="unknown machine"):
        await mes.quality(machine_id="XX-1")


async def test_bad_inspection_is_refused_and_records_nothing(mes, mes_url):
    body = {"machine_id": "IM-103", "inspected": 5, "defects": 9, "requested_by": "quinn"}
    async with httpx.AsyncClient(base_url=mes_url + API) as http:
        too_many = await http.post("/quality/inspections", json=body, headers={"Idempotency-Key": "i"})
    assert too_many.status_code == 422 and "defects cannot exceed" in too_many.json()["detail"]
    with pytest.raises(NotFound, match="unknown machine 'XX-1'"):
        await mes.record_inspection(InspectionCreate(machine_id="XX-1", inspected=5, defects=0, requested_by="q"),
                                    idempotency_key="i2")
    assert all(m.inspections == [] for m in (await mes.quality()).machines)


# ---------------------------------------------------------------------------------------- historian


async def test_history_returns_the_historians_samples(mes, plant_sim):
    plant_sim.tick(120)
    samples = await mes.history("P-101", "vibration", minutes=1)
    assert samples == plant_sim.history("P-101", "vibration", 60)
    assert len(samples) > 10 and samples == sorted(samples)
    trend = await mes.tag_history("p-101", "bearing_temp", minutes=2)
    assert (trend.machine_id, trend.tag, trend.unit) == ("P-101", "bearing_temp", "degC")
    with pytest.raises(NotFound, match="has no tag 'wobble'"):
        await mes.history("P-101", "wobble", 5)
    with pytest.raises(NotFound, match="unknown machine"):
        await mes.history("XX-1", "vibration", 5)
    with pytest.raises(Rejected, match="text tag"):
        await mes.history("P-101", "operator_note", 5)
    with pytest.raises(Rejected, match="minutes"):
        await mes.history("P-101", "vibration", 0)


async def test_material_lots_are_the_lot_in_force_and_each_one_loaded_since(mes, plant_sim):
    plant_sim.tick(600)
    plant_sim.set_text("HP-102", "material_lot", "LOT-24-0907")
    plant_sim.tick(300)
    plant_sim.set_text("HP-102", "material_lot", "LOT-24-0907")  # the same lot again is no new load
    loads = [(m.machine_id, m.lot, m.loaded_at) for m in await mes.material_lots(line="L1", since_minutes=10)]
    # the window starts at 300 s: the lot loaded at 0 s was in force then; the new one came at 600 s
    assert loads == [("HP-102", "LOT-24-0812", 0.0), ("HP-102", "LOT-24-0907", 600.0),
                     ("IM-103", "LOT-24-0815", 0.0)]
    assert [m.lot for m in await mes.material_lots(line="L1", since_minutes=4) if m.machine_id == "HP-102"] == [
        "LOT-24-0907"]  # loaded before the window: only the lot in force
    assert await mes.material_lots(line="L2") == []  # no machine of L2 runs material lots
    with pytest.raises(NotFound, match="unknown line"):
        await mes.material_lots(line="L9")


# ---------------------------------------------------------------------------------------- faults, restarts, reset


async def test_mes_error_fault_answers_500_until_cleared(mes, faults):
    faults.inject(Fault(kind=FaultKind.mes_error))
    with pytest.raises(Rejected, match="MES answered 500"):
        await mes.lines()
    with pytest.raises(Rejected, match="try again later"):
        await mes.change_production_order("PO-L1-0043", change(quantity=900), idempotency_key="k")
    faults.clear(FaultKind.mes_error)
    assert (await mes.get_production_order("PO-L1-0043")).quantity == 800
    assert (await mes.change_production_order("PO-L1-0043", change(quantity=900), idempotency_key="k")).quantity == 900


async def test_changes_survive_a_restart_and_reset_returns_to_the_plant_file(tmp_path, faults, plant_sim):
    db = tmp_path / "mes.db"
    with serving(create_mes_app(db, PLANT, faults, plant_sim)) as url:
        async with MesClient(url, timeout=10, connect_timeout=5) as mes:
            changed = await mes.change_production_order("PO-L2-0108", change(variant="CL-500-RED"),
                                                        idempotency_key="k1")
            await mes.record_inspection(InspectionCreate(machine_id="FL-202", inspected=10, defects=1,
                                                         requested_by="q"), idempotency_key="k2")
    restarted_sim = PlantSimulation(PLANT, faults, seed=0)
    with serving(create_mes_app(db, PLANT, faults, restarted_sim)) as url:
        async with MesClient(url, timeout=10, connect_timeout=5) as mes:
            assert await mes.get_production_order("PO-L2-0108") == changed
            assert await mes.change_production_order("PO-L2-0108", change(variant="CL-500-RED"),
                                                     idempotency_key="k1") == changed
            assert len((await mes.quality(machine_id="FL-202")).machines[0].inspections) == 1
            reset_mes(db, PLANT)
            order = await mes.get_production_order("PO-L2-0108")
            assert (order.variant, order.changes) == ("CL-500-RED-TE", [])
            assert (await mes.quality(machine_id="FL-202")).machines[0].inspections == []
            again = await mes.change_production_order("PO-L2-0108", change(variant="CL-500-RED"),
                                                      idempotency_key="k1")
            assert len(again.changes) == 1  # the key was forgotten with the rest


async def test_openapi_document_describes_every_resource(mes_url):
    async with httpx.AsyncClient(base_url=mes_url) as http:
        doc = (await http.get("/openapi.json")).json()
    assert doc["info"]["title"].startswith("MES")
    assert {f"{API}/{p}" for p in ("lines", "lines/{line_id}/status", "products", "production-orders",
                                   "production-orders/{order_id}", "quality", "quality/inspections",
                                   "history/{machine_id}/{tag}", "lots", "lots/{lot}", "lots/{lot}/hold",
                                   "lots/{lot}/release", "lots/{lot}/issue", "tools")} <= set(doc["paths"])
    hold = doc["paths"][f"{API}/lots/{{lot}}/hold"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in hold["parameters"]) and "409" in hold["responses"]
    assert {t["name"] for t in doc["tags"]} == {"lines", "production orders", "quality", "historian", "genealogy"}
    patch = doc["paths"][f"{API}/production-orders/{{order_id}}"]["patch"]
    assert any(p["name"] == "Idempotency-Key" for p in patch["parameters"])
