"""The ERP connector: spare parts, suppliers, CMMS work orders and purchase orders over HTTP.

    async with ErpClient.from_settings(settings) as erp:  # the ConnectorSettings read at the edge
        part = await erp.get_part("BRG-6205")
        order = await erp.create_purchase_order(
            PurchaseOrderCreate(part="BRG-6205", quantity=20, supplier="SUP-FAST", requested_by="olga"),
            idempotency_key="action-7f3c",
        )

Errors are the typed connector errors (see ``connectors.http_api`` for the mapping).
"""

from __future__ import annotations

from typing import ClassVar

from connectors.http_api import JsonApiClient, segment
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


class ErpClient(JsonApiClient):
    """The plant's ERP. Reads retry once if the connection fails; writes never retry by themselves."""

    system: ClassVar[str] = "ERP"
    url_setting: ClassVar[str] = "erp_url"

    # ------------------------------------------------------------------------------------ parts

    async def list_parts(self, *, machine_id: str | None = None, below_reorder: bool = False) -> list[SparePart]:
        """Spare parts, optionally only one machine's bill of materials and/or those at or below reorder point."""
        params = {"machine_id": machine_id, "below_reorder": "true" if below_reorder else None}
        return await self._get("/parts", list[SparePart], params)

    async def get_part(self, part_id: str) -> SparePart:
        return await self._get(f"/parts/{segment(part_id, 'part id')}", SparePart)

    async def list_suppliers(self) -> list[SupplierRecord]:
        return await self._get("/suppliers", list[SupplierRecord])

    async def inventory(self) -> list[StockLevel]:
        """Stock of every part against its reorder point, with what is on order."""
        return await self._get("/inventory", list[StockLevel])

    # ------------------------------------------------------------------------------------ work orders

    async def list_work_orders(
        self, *, machine_id: str | None = None, status: WorkOrderStatus | None = None
    ) -> list[WorkOrder]:
        return await self._get("/work-orders", list[WorkOrder], {"machine_id": machine_id, "status": status})

    async def get_work_order(self, work_order_id: str) -> WorkOrder:
        return await self._get(f"/work-orders/{segment(work_order_id, 'work order id')}", WorkOrder)

    async def create_work_order(self, order: WorkOrderCreate, *, idempotency_key: str) -> WorkOrder:
        return await self._write("POST", "/work-orders", order, idempotency_key, WorkOrder)

    async def update_work_order(
        self, work_order_id: str, update: WorkOrderUpdate, *, idempotency_key: str
    ) -> WorkOrder:
        """Move a work order to another status, with a note (a done or cancelled one cannot change: ``Rejected``)."""
        path = f"/work-orders/{segment(work_order_id, 'work order id')}"
        return await self._write("PATCH", path, update, idempotency_key, WorkOrder)

    # ------------------------------------------------------------------------------------ purchase orders

    async def list_purchase_orders(
        self, *, part: str | None = None, status: PurchaseOrderStatus | None = None
    ) -> list[PurchaseOrder]:
        return await self._get("/purchase-orders", list[PurchaseOrder], {"part": part, "status": status})

    async def get_purchase_order(self, order_id: str) -> PurchaseOrder:
        return await self._get(f"/purchase-orders/{segment(order_id, 'purchase order id')}", PurchaseOrder)

    async def create_purchase_order(self, order: PurchaseOrderCreate, *, idempotency_key: str) -> PurchaseOrder:
        """Order from a supplier that offers the part; price, delivery date and carbon come from the offer."""
        return await self._write("POST", "/purchase-orders", order, idempotency_key, PurchaseOrder)

    async def update_purchase_order(
        self, order_id: str, update: PurchaseOrderUpdate, *, idempotency_key: str
    ) -> PurchaseOrder:
        """Receive an order (its quantity goes into stock) or cancel it."""
        path = f"/purchase-orders/{segment(order_id, 'purchase order id')}"
        return await self._write("PATCH", path, update, idempotency_key, PurchaseOrder)
