"""The simulated plant's ERP: spare parts and stock, suppliers and offers, CMMS work orders, purchase orders.

A FastAPI app over one SQLite file. The plant file seeds the catalogue (parts with
stock and reorder rules, suppliers, offers) the first time a record is seen; from
then on the database is the truth, so orders and stock survive a restart.
Every write needs an ``Idempotency-Key`` header (see ``simulator.http_common``).
The records and their rules are ``simulator.erp_store``; this module routes HTTP to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from connectors.plant import Plant
from connectors.records import (
    PurchaseOrder,
    PurchaseOrderCreate,
    PurchaseOrderStatus,
    PurchaseOrderUpdate,
    SparePart,
    StockLevel,
    SupplierRecord,
    WorkOrder,
    WorkOrderCreate,
    WorkOrderStatus,
    WorkOrderUpdate,
)
from simulator.erp_store import SCHEMA, ErpStore, open_erp_store, reset_erp
from simulator.faults import FaultBoard, FaultKind
from simulator.http_common import IdempotencyKey, api_router, run_once, service_app

__all__ = ["DESCRIPTION", "SCHEMA", "TAGS", "OfferPrice", "create_erp_app", "reset_erp"]

DESCRIPTION = """The plant's ERP as the copilot sees it: spare parts with stock and reorder points,
suppliers and their offers (price, lead time, carbon), maintenance work orders (CMMS) and purchase orders.

Every write (POST, PATCH) needs an `Idempotency-Key` header: repeating a request with the same key
returns the first answer and changes nothing; the same key with a different request is refused (409).
Errors answer `{"detail": "..."}`: 404 for an unknown machine, part, supplier or order, 409 for a
change the record's state does not allow, 422 for an invalid request."""

TAGS = [
    {"name": "parts", "description": "Spare parts, their stock, offers and the machines using them."},
    {"name": "suppliers", "description": "Who sells the parts."},
    {"name": "work orders", "description": "Maintenance work orders (CMMS)."},
    {"name": "purchase orders", "description": "Orders of spare parts from suppliers."},
    {"name": "inventory", "description": "Stock of every part against its reorder point."},
]


class OfferPrice(BaseModel):
    """A supplier's new unit price for a part, as a new price list brings it."""

    price: float = Field(gt=0, le=1_000_000)


def create_erp_app(db_path: Path, plant: Plant, faults: FaultBoard) -> FastAPI:
    """The ERP service over the SQLite file at ``db_path`` (created and seeded if new)."""
    erp = open_erp_store(db_path, plant)
    app = service_app(system="ERP", title="ERP (simulated plant)", description=DESCRIPTION, tags=TAGS,
                      faults=faults, fault=FaultKind.erp_error)
    for router in (_catalogue_router(erp), _work_orders_router(erp), _purchase_orders_router(erp)):
        app.include_router(router)
    return app


def _catalogue_router(erp: ErpStore) -> APIRouter:
    """Parts with their offers and users, suppliers, and the inventory."""
    api, db = api_router(), erp.db

    @api.get("/parts", tags=["parts"], summary="List spare parts")
    def list_parts(
        machine_id: Annotated[str | None, Query(description="only parts in this machine's bill of materials")] = None,
        below_reorder: Annotated[bool, Query(description="only parts at or below their reorder point")] = False,
    ) -> list[SparePart]:
        return erp.list_parts(machine_id, below_reorder)

    @api.get("/parts/{part_id}", tags=["parts"], summary="One spare part with offers and the machines using it")
    def get_part(part_id: str) -> SparePart:
        return erp.get_part(part_id)

    @api.put("/parts/{part_id}/offers/{supplier_id}", tags=["parts"], response_model=SparePart,
             summary="Change a supplier's unit price for a part (a new price list)")
    def set_offer_price(part_id: str, supplier_id: str, body: OfferPrice, request: Request,
                        key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, body,
                        lambda conn: erp.set_offer_price(conn, part_id, supplier_id, body.price))

    @api.get("/suppliers", tags=["suppliers"], summary="List suppliers")
    def list_suppliers() -> list[SupplierRecord]:
        return erp.suppliers()

    @api.get("/inventory", tags=["inventory"], summary="Stock of every part against its reorder point")
    def inventory() -> list[StockLevel]:
        return erp.inventory()

    return api


def _work_orders_router(erp: ErpStore) -> APIRouter:
    """Maintenance work orders: list, read, open, change status."""
    api, db = api_router(), erp.db

    @api.get("/work-orders", tags=["work orders"], summary="List work orders")
    def list_work_orders(
        machine_id: str | None = None, status: WorkOrderStatus | None = None
    ) -> list[WorkOrder]:
        return erp.list_work_orders(machine_id, status)

    @api.get("/work-orders/{work_order_id}", tags=["work orders"], summary="One work order with its history")
    def get_work_order(work_order_id: str) -> WorkOrder:
        return erp.get_work_order(work_order_id)

    @api.post("/work-orders", tags=["work orders"], summary="Open a work order", status_code=201,
              response_model=WorkOrder)
    def create_work_order(order: WorkOrderCreate, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, order, lambda conn: erp.create_work_order(conn, order), status_code=201)

    @api.patch("/work-orders/{work_order_id}", tags=["work orders"], response_model=WorkOrder,
               summary="Change a work order's status, with a note")
    def update_work_order(
        work_order_id: str, update: WorkOrderUpdate, request: Request, key: IdempotencyKey
    ) -> JSONResponse:
        return run_once(db, request, key, update, lambda conn: erp.update_work_order(conn, work_order_id, update))

    return api


def _purchase_orders_router(erp: ErpStore) -> APIRouter:
    """Purchase orders: list, read, order from an offer, receive or cancel."""
    api, db = api_router(), erp.db

    @api.get("/purchase-orders", tags=["purchase orders"], summary="List purchase orders")
    def list_purchase_orders(
        part: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]:
        return erp.list_purchase_orders(part, status)

    @api.get("/purchase-orders/{order_id}", tags=["purchase orders"], summary="One purchase order")
    def get_purchase_order(order_id: str) -> PurchaseOrder:
        return erp.get_purchase_order(order_id)

    @api.post("/purchase-orders", tags=["purchase orders"], status_code=201, response_model=PurchaseOrder,
              summary="Order a part from a supplier that offers it (price, delivery date and carbon from the offer)")
    def create_purchase_order(order: PurchaseOrderCreate, request: Request, key: IdempotencyKey) -> JSONResponse:
        return run_once(db, request, key, order, lambda conn: erp.create_purchase_order(conn, order), status_code=201)

    @api.patch("/purchase-orders/{order_id}", tags=["purchase orders"], response_model=PurchaseOrder,
               summary="Receive a purchase order (its quantity goes into stock) or cancel it")
    def update_purchase_order(
        order_id: str, update: PurchaseOrderUpdate, request: Request, key: IdempotencyKey
    ) -> JSONResponse:
        return run_once(db, request, key, update, lambda conn: erp.update_purchase_order(conn, order_id, update))

    return api
