"""The simulated plant's MES: lines, production orders, quality and the historian, over the live plant.

A FastAPI app over one SQLite file and the running simulation. The plant file seeds
products and production orders the first time they are seen; from then on the
database is the truth. Live values (machine state, counters, defect rate, history)
come from the simulation as a real MES gets them from the PLCs: a machine whose PLC
is offline shows as ``offline`` with no values.
The records, their rules and output tracking are ``simulator.mes_store`` (inspections and the quality report
``simulator.mes_quality``); this module routes HTTP to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Protocol

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from connectors.configured_orders import OrderRecipe, ProductionOrderCreate, ProductionOrderStart
from connectors.genealogy import LOT_TAG, MaterialLoad
from connectors.plant import Plant
from connectors.records import (
    Inspection,
    InspectionCreate,
    LineStatus,
    ProductionLine,
    ProductionOrderChange,
    ProductionOrderRecord,
    ProductionOrderStatus,
    ProductRecord,
    QualityReport,
    TagHistory,
)
from simulator import mes_quality
from simulator.faults import FaultBoard, FaultKind
from simulator.http_common import IdempotencyKey, api_router, run_once, service_app
from simulator.mes_configured import create_order, order_recipe, start_order
from simulator.mes_lots import LotPlant, LotRegister, lots_router
from simulator.mes_store import SCHEMA, LivePlant, MesStore, open_mes_store, output_machine, reset_mes

__all__ = ["DESCRIPTION", "MAX_WINDOW_MINUTES", "SCHEMA", "TAGS", "LivePlant", "PlantFloor", "create_mes_app",
           "output_machine", "reset_mes"]

MAX_WINDOW_MINUTES = 7 * 24 * 60

DESCRIPTION = """The plant's MES as the copilot sees it: lines and their live status, production orders
(with variant and quantity changes and their history; a configured order created with its recipe at the end
of its line's queue, and the line switched to it), quality (live counters and defect rates, inspection
records), the historian's recent samples of every numeric tag, and the material lots (a lot on hold is issued
to no machine until it is released) with each machine's tool and its cycles.

Every write (POST, PATCH) needs an `Idempotency-Key` header: repeating a request with the same key
returns the first answer and changes nothing; the same key with a different request is refused (409).
Errors answer `{"detail": "..."}`: 404 for an unknown line, machine, tag, order or lot, 409 for a change the
order's or lot's state does not allow (a held lot issued), 422 for an invalid request."""

TAGS = [
    {"name": "lines", "description": "Production lines, their machines and live status."},
    {"name": "production orders", "description": "What each line makes; variant and quantity changes; configured "
     "orders with their recipe, and the line's switch to the next order."},
    {"name": "quality", "description": "Good and rejected parts, defect rates, inspection records."},
    {"name": "historian", "description": "Recent samples of numeric tags."},
    {"name": "genealogy", "description": "Material lots: which each machine ran, holds, releases and issues; tools."},
]


class PlantFloor(LivePlant, LotPlant, Protocol):
    """What the MES reads of the running plant and does to it (``simulator.physics.PlantSimulation`` provides it)."""


def create_mes_app(db_path: Path, plant: Plant, faults: FaultBoard, live: PlantFloor) -> FastAPI:
    """The MES service over the SQLite file at ``db_path`` (created and seeded if new) and the live plant."""
    mes = open_mes_store(db_path, plant, faults, live)
    app = service_app(system="MES", title="MES (simulated plant)", description=DESCRIPTION, tags=TAGS,
                      faults=faults, fault=FaultKind.mes_error)
    for router in (_lines_router(mes), _orders_router(mes), _configured_router(mes), _quality_router(mes),
                   _history_router(mes), _genealogy_router(mes), lots_router(LotRegister(mes.db, plant, live))):
        app.include_router(router)
    return app


def _lines_router(mes: MesStore) -> APIRouter:
    """Production lines, their machines and live status."""
    api = api_router()

    @api.get("/lines", tags=["lines"], summary="List production lines and their machines")
    def list_lines() -> list[ProductionLine]:
        return mes.list_lines()

    @api.get("/lines/{line_id}/status", tags=["lines"],
             summary="A line now: each machine's state, alarm and counters, and the order in progress")
    def line_status(line_id: str) -> LineStatus:
        return mes.line_status(line_id)

    return api


def _orders_router(mes: MesStore) -> APIRouter:
    """Products and production orders: list, read, change variant or quantity."""
    api, db = api_router(), mes.db

    @api.get("/products", tags=["production orders"], summary="Products and their variants")
    def list_products() -> list[ProductRecord]:
        return mes.products()

    @api.get("/production-orders", tags=["production orders"],
             summary="List production orders, each line's in its queue order")
    def list_production_orders(
        line: str | None = None, status: ProductionOrderStatus | None = None
    ) -> list[ProductionOrderRecord]:
        return mes.list_orders(line, status)

    @api.get("/production-orders/{order_id}", tags=["production orders"],
             summary="One production order with its change history")
    def get_production_order(order_id: str) -> ProductionOrderRecord:
        return mes.get_order(order_id)

    @api.patch("/production-orders/{order_id}", tags=["production orders"], response_model=ProductionOrderRecord,
               summary="Change an order's variant (of the same product) or quantity (not below what is produced)")
    def change_production_order(
        order_id: str, change: ProductionOrderChange, request: Request, key: IdempotencyKey
    ) -> JSONResponse:
        return run_once(db, request, key, change, lambda conn: mes.change_order(conn, order_id, change))

    return api


def _configured_router(mes: MesStore) -> APIRouter:
    """Configured orders: create one with its recipe, read its recipe, switch its line to it."""
    api, db = api_router(), mes.db

    @api.post("/production-orders", tags=["production orders"], status_code=201,
              response_model=ProductionOrderRecord,
              summary="Create a planned order of a configuration (colour, options) with its recipe, queued on its "
                      "product's line just before the planned order `before` (the sequencer's place), else last")
    def create_production_order(create: ProductionOrderCreate, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, create, lambda conn: create_order(mes, conn, create), status_code=201)

    @api.get("/production-orders/{order_id}/recipe", tags=["production orders"],
             summary="The recipe (setpoints in writing order) an order was created with; empty for none")
    def get_order_recipe(order_id: str) -> OrderRecipe:
        return order_recipe(mes, order_id)

    @api.post("/production-orders/{order_id}/start", tags=["production orders"], response_model=ProductionOrderRecord,
              summary="Switch the order's line to this planned order; the finished order in progress is closed as "
                      "done (409 while it still has units to make)")
    def start_production_order(
        order_id: str, start: ProductionOrderStart, request: Request, key: IdempotencyKey
    ) -> JSONResponse:
        return run_once(db, request, key, start, lambda conn: start_order(mes, conn, order_id, start))

    return api


def _quality_router(mes: MesStore) -> APIRouter:
    """Quality per machine over a window, and inspection records."""
    api, db = api_router(), mes.db

    @api.get("/quality", tags=["quality"],
             summary="Per machine: live counters and defect rate, parts made in the window, inspections")
    def quality(
        line: str | None = None,
        machine_id: str | None = None,
        since_minutes: Annotated[float, Query(gt=0, le=MAX_WINDOW_MINUTES, description="minutes back")] = 60.0,
    ) -> QualityReport:
        return mes_quality.quality_report(mes, line, machine_id, since_minutes)

    @api.post("/quality/inspections", tags=["quality"], status_code=201, response_model=Inspection,
              summary="Record an inspection result (parts inspected, defects found)")
    def record_inspection(record: InspectionCreate, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, record, lambda conn: mes_quality.record_inspection(mes, conn, record),
                        status_code=201)

    return api


def _history_router(mes: MesStore) -> APIRouter:
    """The historian's recent samples of a numeric tag."""
    api = api_router()

    @api.get("/history/{machine_id}/{tag}", tags=["historian"],
             summary="Samples [time, value] of a numeric tag over the last minutes, oldest first")
    def history(
        machine_id: str,
        tag: str,
        minutes: Annotated[float, Query(gt=0, le=MAX_WINDOW_MINUTES, description="minutes back")] = 30.0,
    ) -> TagHistory:
        return mes.history(machine_id, tag, minutes)

    return api


def _genealogy_router(mes: MesStore) -> APIRouter:
    """The material lots each machine with a ``material_lot`` tag ran over a window."""
    api = api_router()

    @api.get("/material-lots", tags=["genealogy"],
             summary="Per machine: the lot in force at the window's start and each lot loaded since, oldest first")
    def material_lots(
        line: str | None = None,
        since_minutes: Annotated[float, Query(gt=0, le=MAX_WINDOW_MINUTES, description="minutes back")] = 60.0,
    ) -> list[MaterialLoad]:
        machines = mes.line(line).machines if line is not None else list(mes.plant.machines.values())
        return [MaterialLoad(machine_id=m.id, line_id=m.line_id, lot=lot, loaded_at=at) for m in machines
                if LOT_TAG in m.tags for at, lot in mes.live.text_history(m.id, LOT_TAG, since_minutes * 60.0)]

    return api
