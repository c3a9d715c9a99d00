"""The MES connector: lines, production orders, quality, the historian, material lots and tools over HTTP.

    async with MesClient.from_settings(settings) as mes:  # the ConnectorSettings read at the edge
        status = await mes.line_status("L2")
        samples = await mes.history("P-101", "vibration", minutes=30)

Errors are the typed connector errors (see ``connectors.http_api`` for the mapping).
"""

from __future__ import annotations

from typing import ClassVar

from connectors.configured_orders import OrderRecipe, ProductionOrderCreate, ProductionOrderStart
from connectors.genealogy import (
    LotHold,
    LotIssue,
    LotRelease,
    LotStatus,
    MaterialLoad,
    MaterialLotRecord,
    ToolLife,
)
from connectors.http_api import JsonApiClient, segment
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


class MesClient(JsonApiClient):
    """The plant's MES. Reads retry once if the connection fails; writes never retry by themselves."""

    system: ClassVar[str] = "MES"
    url_setting: ClassVar[str] = "mes_url"

    async def lines(self) -> list[ProductionLine]:
        return await self._get("/lines", list[ProductionLine])

    async def line_status(self, line_id: str) -> LineStatus:
        """Each machine's state, alarm and counters now, and the line's order in progress."""
        return await self._get(f"/lines/{segment(line_id, 'line id')}/status", LineStatus)

    async def products(self) -> list[ProductRecord]:
        return await self._get("/products", list[ProductRecord])

    async def list_production_orders(
        self, *, line: str | None = None, status: ProductionOrderStatus | None = None
    ) -> list[ProductionOrderRecord]:
        return await self._get("/production-orders", list[ProductionOrderRecord], {"line": line, "status": status})

    async def get_production_order(self, order_id: str) -> ProductionOrderRecord:
        return await self._get(f"/production-orders/{segment(order_id, 'production order id')}",
                               ProductionOrderRecord)

    async def change_production_order(
        self, order_id: str, change: ProductionOrderChange, *, idempotency_key: str
    ) -> ProductionOrderRecord:
        """Switch to another variant of the same product and/or set a new quantity (not below what is produced).

        ``Rejected`` for a variant of another product, a quantity below production, or a done or
        cancelled order; the order is then unchanged.
        """
        path = f"/production-orders/{segment(order_id, 'production order id')}"
        return await self._write("PATCH", path, change, idempotency_key, ProductionOrderRecord)

    async def create_production_order(
        self, order: ProductionOrderCreate, *, idempotency_key: str
    ) -> ProductionOrderRecord:
        """A planned order of a configuration with its recipe, queued on its product's line before ``order.before``
        (last when none).

        ``NotFound`` for an unknown product, machine or tag; ``Rejected`` for a recipe tag that is no setpoint, or a
        ``before`` that is no planned order of the line.
        """
        return await self._write("POST", "/production-orders", order, idempotency_key, ProductionOrderRecord)

    async def order_recipe(self, order_id: str) -> OrderRecipe:
        """The recipe an order was created with (empty for an order made without one)."""
        return await self._get(f"/production-orders/{segment(order_id, 'production order id')}/recipe", OrderRecipe)

    async def start_production_order(
        self, order_id: str, start: ProductionOrderStart, *, idempotency_key: str
    ) -> ProductionOrderRecord:
        """Switch the order's line to it; the finished order in progress is closed as done.

        ``Rejected`` when the order is not planned or the line's order in progress still has units to make.
        """
        path = f"/production-orders/{segment(order_id, 'production order id')}/start"
        return await self._write("POST", path, start, idempotency_key, ProductionOrderRecord)

    async def quality(
        self, *, line: str | None = None, machine_id: str | None = None, since_minutes: float = 60.0
    ) -> QualityReport:
        """Per machine: live counters and defect rate, parts made in the window, inspections in the window."""
        params = {"line": line, "machine_id": machine_id, "since_minutes": since_minutes}
        return await self._get("/quality", QualityReport, params)

    async def record_inspection(self, record: InspectionCreate, *, idempotency_key: str) -> Inspection:
        return await self._write("POST", "/quality/inspections", record, idempotency_key, Inspection)

    async def tag_history(self, machine_id: str, tag: str, minutes: float = 30.0) -> TagHistory:
        """The historian's samples of a numeric tag over the last ``minutes``, with its unit."""
        path = f"/history/{segment(machine_id, 'machine id')}/{segment(tag, 'tag')}"
        return await self._get(path, TagHistory, {"minutes": minutes})

    async def history(self, machine_id: str, tag: str, minutes: float = 30.0) -> list[tuple[float, float]]:
        """Just the samples ``(simulation seconds, value)``, oldest first."""
        return (await self.tag_history(machine_id, tag, minutes)).samples

    async def material_lots(self, *, line: str | None = None, since_minutes: float = 60.0) -> list[MaterialLoad]:
        """Per machine that runs material lots: the lot in force at the window's start and each loaded since."""
        return await self._get("/material-lots", list[MaterialLoad], {"line": line, "since_minutes": since_minutes})

    async def lots(self, *, status: LotStatus | None = None, material: str | None = None) -> list[MaterialLotRecord]:
        """The material lots the MES holds, with their status (available or on hold) and history."""
        return await self._get("/lots", list[MaterialLotRecord], {"status": status, "material": material})

    async def lot(self, lot: str) -> MaterialLotRecord:
        return await self._get(f"/lots/{segment(lot, 'material lot')}", MaterialLotRecord)

    async def hold_lot(self, lot: str, hold: LotHold, *, idempotency_key: str) -> MaterialLotRecord:
        """Put a lot on hold: the MES issues it to no machine until it is released. ``Rejected`` if already held."""
        path = f"/lots/{segment(lot, 'material lot')}/hold"
        return await self._write("POST", path, hold, idempotency_key, MaterialLotRecord)

    async def release_lot(self, lot: str, release: LotRelease, *, idempotency_key: str) -> MaterialLotRecord:
        """Release a held lot. ``Rejected`` if it is not on hold."""
        path = f"/lots/{segment(lot, 'material lot')}/release"
        return await self._write("POST", path, release, idempotency_key, MaterialLotRecord)

    async def issue_lot(self, lot: str, issue: LotIssue, *, idempotency_key: str) -> MaterialLotRecord:
        """Issue a lot to a machine, which loads it. ``Rejected`` while the lot is on hold."""
        path = f"/lots/{segment(lot, 'material lot')}/issue"
        return await self._write("POST", path, issue, idempotency_key, MaterialLotRecord)

    async def tools(self, *, line: str | None = None) -> list[ToolLife]:
        """Each machine's tool (mould, die, nozzle): its cycles since it was last changed against its rated life."""
        return await self._get("/tools", list[ToolLife], {"line": line})
