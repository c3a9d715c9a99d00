"""The simulated ERP served by uvicorn on loopback over a real SQLite file, through the ERP connector."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import httpx
import pytest
from http_services import serving

from connectors.erp import ErpClient
from connectors.errors import InvalidRequest, NotFound, Rejected, TimedOut, Unreachable
from connectors.plant import load_plant
from connectors.records import PurchaseOrderCreate, PurchaseOrderUpdate, WorkOrderCreate, WorkOrderUpdate
from connectors.site import DEMO_SITE
from simulator.erp import create_erp_app, reset_erp
from simulator.faults import Fault, FaultBoard, FaultKind

PLANT = load_plant(DEMO_SITE / "plant.yaml")
API = "/api/v1"


@pytest.fixture
def faults() -> FaultBoard:
    return FaultBoard()


@pytest.fixture
def erp_url(tmp_path, faults):
    with serving(create_erp_app(tmp_path / "erp.db", PLANT, faults)) as url:
        yield url


@pytest.fixture
async def erp(erp_url):
    async with ErpClient(erp_url, timeout=10, connect_timeout=5) as client:
        yield client


def bearing_job(**changes) -> WorkOrderCreate:
    fields = dict(machine_id="P-101", title="High vibration on P-101 bearings", priority="high",
                  description="vibration 9.2 mm/s and rising", parts=[{"part": "BRG-6205", "qty": 2}],
                  requested_by="olga")
    return WorkOrderCreate(**(fields | changes))


def bearings(quantity: int = 20, supplier: str = "SUP-FAST") -> PurchaseOrderCreate:
    return PurchaseOrderCreate(part="BRG-6205", quantity=quantity, supplier=supplier, requested_by="olga",
                               reason="stock below reorder point")


# ---------------------------------------------------------------------------------------- parts


async def test_parts_follow_the_plant_file_and_its_bills_of_materials(erp):
    parts = await erp.list_parts()
    assert {p.id for p in parts} == {p.id for p in PLANT.parts}
    pump = await erp.list_parts(machine_id="p-101")  # machine ids are matched as the plant file does
    assert {p.id for p in pump} == {line.part for line in PLANT.machine("P-101").bom}
    low = await erp.list_parts(below_reorder=True)
    assert {p.id for p in low} == {p.id for p in PLANT.parts if p.stock <= p.reorder_point}

    part = await erp.get_part("brg-6205")
    planned = next(p for p in PLANT.parts if p.id == "BRG-6205")
    assert (part.stock, part.reorder_point, part.reorder_qty, part.on_order) == (6, 8, 20, 0)
    assert part.below_reorder
    assert part.machines == [m.id for m in PLANT.machines.values() if any(b.part == "BRG-6205" for b in m.bom)]
    by_supplier = {o.supplier: o for o in part.offers}
    assert set(by_supplier) == {o.supplier for o in planned.offers}
    assert by_supplier["SUP-NORD"].supplier_name == "Nordic Bearings AB"
    assert by_supplier["SUP-FAST"].lead_time_days == 1 and by_supplier["SUP-ECO"].carbon_kg == 0.8


async def test_suppliers_and_inventory(erp):
    assert [s.id for s in await erp.list_suppliers()] == sorted(s.id for s in PLANT.suppliers)
    stock = {line.part: line for line in await erp.inventory()}
    assert set(stock) == {p.id for p in PLANT.parts}
    assert stock["FAN-MTR-TC6"].stock == 0 and stock["FAN-MTR-TC6"].below_reorder
    assert not stock["TC-K-150"].below_reorder


async def test_unknown_part_and_machine_are_not_found(erp):
    with pytest.raises(NotFound, match="unknown part 'NOPE-1'"):
        await erp.get_part("NOPE-1")
    with pytest.raises(NotFound, match="unknown machine 'XX-999'"):
        await erp.list_parts(machine_id="XX-999")
    with pytest.raises(NotFound, match="unknown work order"):
        await erp.get_work_order("WO-99999")
    with pytest.raises(InvalidRequest):
        await erp.get_part("  ")


# ---------------------------------------------------------------------------------------- work orders


async def test_work_order_is_opened_read_and_closed(erp):
    created = await erp.create_work_order(bearing_job(), idempotency_key="wo-1")
    assert created.id.startswith("WO-") and created.status == "open"
    assert (created.machine_id, created.line_id, created.priority) == ("P-101", "L1", "high")
    assert [(p.part, p.qty) for p in created.parts] == [("BRG-6205", 2)]
    assert await erp.get_work_order(created.id.lower()) == created
    assert [w.id for w in await erp.list_work_orders(machine_id="P-101")] == [created.id]
    assert await erp.list_work_orders(machine_id="HP-102") == []

    started = await erp.update_work_order(
        created.id, WorkOrderUpdate(status="in_progress", note="fitter on site", requested_by="tom"),
        idempotency_key="wo-1-start",
    )
    done = await erp.update_work_order(
        created.id, WorkOrderUpdate(status="done", note="both bearings replaced", requested_by="tom"),
        idempotency_key="wo-1-done",
    )
    assert started.status == "in_progress" and done.status == "done"
    assert [(e.status, e.by) for e in done.history] == [("open", "olga"), ("in_progress", "tom"), ("done", "tom")]
    assert [w.id for w in await erp.list_work_orders(status="done")] == [created.id]
    assert await erp.list_work_orders(status="open") == []

    with pytest.raises(Rejected, match="cannot change"):
        await erp.update_work_order(created.id, WorkOrderUpdate(status="open", requested_by="tom"),
                                    idempotency_key="wo-1-reopen")
    assert (await erp.get_work_order(created.id)).status == "done"


async def test_work_order_for_unknown_machine_or_part_creates_nothing(erp):
    with pytest.raises(NotFound, match="unknown machine 'XX-999'"):
        await erp.create_work_order(bearing_job(machine_id="XX-999"), idempotency_key="bad-machine")
    with pytest.raises(NotFound, match="unknown part 'BRG-0000'"):
        await erp.create_work_order(bearing_job(parts=[{"part": "BRG-0000", "qty": 1}]), idempotency_key="bad-part")
    assert await erp.list_work_orders() == []


async def test_same_idempotency_key_twice_returns_the_first_record_and_creates_one(erp, erp_url):
    first = await erp.create_work_order(bearing_job(), idempotency_key="retry-me")
    again = await erp.create_work_order(bearing_job(), idempotency_key="retry-me")
    assert again == first
    assert len(await erp.list_work_orders()) == 1

    body = bearing_job().model_dump(mode="json")
    async with httpx.AsyncClient(base_url=erp_url + API) as http:
        replay = await http.post("/work-orders", json=body, headers={"Idempotency-Key": "retry-me"})
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.id


async def test_concurrent_retries_with_one_key_create_one_record(erp):
    orders = await asyncio.gather(*[erp.create_purchase_order(bearings(), idempotency_key="burst") for _ in range(8)])
    assert len({o.id for o in orders}) == 1
    assert len(await erp.list_purchase_orders()) == 1


async def test_same_key_with_a_different_body_is_rejected_and_changes_nothing(erp):
    await erp.create_work_order(bearing_job(), idempotency_key="once")
    with pytest.raises(Rejected, match="already used") as caught:
        await erp.create_work_order(bearing_job(priority="low"), idempotency_key="once")
    assert "409" in str(caught.value)
    with pytest.raises(Rejected, match="already used"):  # a key is one request, whatever the endpoint
        await erp.create_purchase_order(bearings(), idempotency_key="once")
    assert [w.priority for w in await erp.list_work_orders()] == ["high"]
    assert await erp.list_purchase_orders() == []


async def test_writes_need_an_idempotency_key(erp, erp_url):
    with pytest.raises(InvalidRequest, match="idempotency key"):
        await erp.create_work_order(bearing_job(), idempotency_key=" ")
    async with httpx.AsyncClient(base_url=erp_url + API) as http:
        missing = await http.post("/work-orders", json=bearing_job().model_dump(mode="json"))
    assert missing.status_code == 400 and "Idempotency-Key" in missing.json()["detail"]
    assert await erp.list_work_orders() == []


async def test_invalid_requests_answer_422_with_the_field_named(erp_url):
    async with httpx.AsyncClient(base_url=erp_url + API) as http:
        zero = await http.post("/purchase-orders", headers={"Idempotency-Key": "z"},
                               json={"part": "BRG-6205", "quantity": 0, "supplier": "SUP-FAST", "requested_by": "o"})
        typo = await http.post("/work-orders", headers={"Idempotency-Key": "t"},
                               json=bearing_job().model_dump(mode="json") | {"priorty": "high"})
        status = await http.get("/work-orders", params={"status": "closed"})
        orders = await http.get("/purchase-orders")
    assert zero.status_code == 422 and zero.json()["detail"].startswith("invalid request: quantity:")
    assert typo.status_code == 422 and "priorty" in typo.json()["detail"]
    assert status.status_code == 422 and "status" in status.json()["detail"]
    assert orders.json() == []


# ---------------------------------------------------------------------------------------- purchase orders


async def test_purchase_order_is_priced_and_dated_from_the_offer(erp):
    order = await erp.create_purchase_order(bearings(20, "sup-fast"), idempotency_key="po-1")
    offer = next(o for p in PLANT.parts if p.id == "BRG-6205" for o in p.offers if o.supplier == "SUP-FAST")
    assert (order.part, order.supplier, order.quantity, order.status) == ("BRG-6205", "SUP-FAST", 20, "ordered")
    assert order.supplier_name == "FastParts Logistics GmbH" and order.unit == "pcs"
    assert order.unit_price == offer.price and order.total_price == pytest.approx(20 * offer.price)
    assert order.carbon_kg_total == pytest.approx(20 * offer.carbon_kg)
    assert order.expected_delivery == order.created_at.date() + timedelta(days=offer.lead_time_days)
    assert await erp.get_purchase_order(order.id) == order
    assert [o.id for o in await erp.list_purchase_orders(part="BRG-6205", status="ordered")] == [order.id]
    assert await erp.list_purchase_orders(part="TC-K-150") == []
    part = await erp.get_part("BRG-6205")
    assert (part.stock, part.on_order) == (6, 20)


async def test_supplier_that_does_not_offer_the_part_is_rejected_with_the_offers(erp):
    with pytest.raises(Rejected, match="SUP-HYD does not offer part BRG-6205") as caught:
        await erp.create_purchase_order(bearings(supplier="SUP-HYD"), idempotency_key="po-wrong")
    assert "SUP-NORD" in str(caught.value) and "422" in str(caught.value)
    with pytest.raises(NotFound, match="unknown supplier 'SUP-NONE'"):
        await erp.create_purchase_order(bearings(supplier="SUP-NONE"), idempotency_key="po-none")
    with pytest.raises(NotFound, match="unknown part"):
        await erp.create_purchase_order(
            PurchaseOrderCreate(part="XX", quantity=1, supplier="SUP-FAST", requested_by="o"), idempotency_key="p"
        )
    assert await erp.list_purchase_orders() == []
    # the failed request did not use up its key
    placed = await erp.create_purchase_order(bearings(supplier="SUP-NORD"), idempotency_key="po-wrong")
    assert placed.supplier == "SUP-NORD"


async def test_received_purchase_order_goes_into_stock_once(erp):
    order = await erp.create_purchase_order(bearings(20), idempotency_key="po-r")
    received = await erp.update_purchase_order(
        order.id, PurchaseOrderUpdate(status="received", requested_by="stores"), idempotency_key="po-r-in"
    )
    assert received.status == "received"
    part = await erp.get_part("BRG-6205")
    assert (part.stock, part.on_order, part.below_reorder) == (26, 0, False)
    with pytest.raises(Rejected, match="already received"):
        await erp.update_purchase_order(
            order.id, PurchaseOrderUpdate(status="cancelled", requested_by="stores"), idempotency_key="po-r-x"
        )
    assert (await erp.get_part("BRG-6205")).stock == 26


# ---------------------------------------------------------------------------------------- faults, restarts, transport


async def test_erp_error_fault_answers_500_until_cleared(erp, faults):
    faults.inject(Fault(kind=FaultKind.erp_error))
    with pytest.raises(Rejected, match="ERP answered 500") as caught:
        await erp.list_parts()
    assert "try again later" in str(caught.value)
    with pytest.raises(Rejected, match="same idempotency key is safe"):
        await erp.create_work_order(bearing_job(), idempotency_key="during-outage")
    faults.clear(FaultKind.erp_error)
    assert await erp.list_work_orders() == []
    created = await erp.create_work_order(bearing_job(), idempotency_key="during-outage")
    assert created.status == "open"


async def test_state_survives_a_restart_on_the_same_database(tmp_path, faults):
    db = tmp_path / "erp.db"
    with serving(create_erp_app(db, PLANT, faults)) as url:
        async with ErpClient(url, timeout=10, connect_timeout=5) as erp:
            work_order = await erp.create_work_order(bearing_job(), idempotency_key="k-wo")
            order = await erp.create_purchase_order(bearings(20), idempotency_key="k-po")
            await erp.update_purchase_order(order.id, PurchaseOrderUpdate(status="received", requested_by="s"),
                                            idempotency_key="k-in")
    with serving(create_erp_app(db, PLANT, faults)) as url:
        async with ErpClient(url, timeout=10, connect_timeout=5) as erp:
            assert await erp.get_work_order(work_order.id) == work_order
            assert (await erp.get_part("BRG-6205")).stock == 26  # not seeded again
            replay = await erp.create_purchase_order(bearings(20), idempotency_key="k-po")
            assert replay.id == order.id and len(await erp.list_purchase_orders()) == 1
            with pytest.raises(Rejected, match="already used"):
                await erp.create_purchase_order(bearings(5), idempotency_key="k-po")
            second = await erp.create_work_order(bearing_job(title="Seal leak"), idempotency_key="k-wo-2")
            assert second.id != work_order.id


async def test_reset_returns_to_the_plant_file(tmp_path, faults):
    db = tmp_path / "erp.db"
    with serving(create_erp_app(db, PLANT, faults)) as url:
        async with ErpClient(url, timeout=10, connect_timeout=5) as erp:
            order = await erp.create_purchase_order(bearings(20), idempotency_key="k")
            await erp.update_purchase_order(order.id, PurchaseOrderUpdate(status="received", requested_by="s"),
                                            idempotency_key="k-in")
            await erp.create_work_order(bearing_job(), idempotency_key="k-wo")
            reset_erp(db, PLANT)
            assert await erp.list_purchase_orders() == [] and await erp.list_work_orders() == []
            assert (await erp.get_part("BRG-6205")).stock == 6
            fresh = await erp.create_purchase_order(bearings(5), idempotency_key="k")  # keys are forgotten too
            assert (fresh.id, fresh.quantity) == (order.id, 5)


async def test_closed_port_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        async with ErpClient(f"http://127.0.0.1:{port}", timeout=2, connect_timeout=2) as erp:
            with pytest.raises(Unreachable, match="ERP at http://127.0.0.1"):
                await erp.list_parts()
            with pytest.raises(Unreachable):
                await erp.create_work_order(bearing_job(), idempotency_key="k")


async def test_silent_server_times_out():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # the kernel accepts the connection; nobody ever answers
        async with ErpClient(f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=0.3, connect_timeout=2) as erp:
            with pytest.raises(TimedOut, match="did not answer GET /api/v1/parts"):
                await erp.list_parts()
            with pytest.raises(TimedOut, match="same idempotency key"):
                await erp.create_work_order(bearing_job(), idempotency_key="k")


async def test_openapi_document_describes_every_resource(erp_url):
    async with httpx.AsyncClient(base_url=erp_url) as http:
        doc = (await http.get("/openapi.json")).json()
    assert doc["info"]["title"].startswith("ERP")
    assert {f"{API}/{p}" for p in ("parts", "parts/{part_id}", "suppliers", "inventory", "work-orders",
                                   "work-orders/{work_order_id}", "purchase-orders", "purchase-orders/{order_id}")} \
        <= set(doc["paths"])
    assert {t["name"] for t in doc["tags"]} == {"parts", "suppliers", "work orders", "purchase orders", "inventory"}
    post = doc["paths"][f"{API}/work-orders"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "201" in post["responses"]
