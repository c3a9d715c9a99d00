"""The simulated plant as a scenario's world: put it in the scenario's starting state, and read the truth after.

Setup goes through the same public interfaces the plant's people would use:
the simulator's control API for faults and PLC text, the ERP and MES APIs for
existing work orders, inspections, goods received and lots on hold. Records made by the
setup carry ``SETUP_USER`` so checks count only what the copilot made.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from pydantic import BaseModel

from connectors.erp import ErpClient
from connectors.genealogy import LotHold, MaterialLotRecord
from connectors.mes import MesClient
from connectors.records import (
    InspectionCreate,
    ProductionOrderRecord,
    PurchaseOrder,
    PurchaseOrderCreate,
    PurchaseOrderUpdate,
    WorkOrder,
    WorkOrderCreate,
)
from connectors.settings import ConnectorSettings
from evals.scenario import Setup

SETUP_USER = "eval-setup"
CONTROL_TIMEOUT_S = 30.0


class WorldError(RuntimeError):
    """The simulator or one of its services did not do what the setup asked (the environment's fault)."""


class Truth(BaseModel):
    """The plant's state as the twin knows it, whatever its PLCs and services answer."""

    tags: dict[str, dict[str, Any]]  # machine -> tag -> value
    work_orders: list[WorkOrder]
    purchase_orders: list[PurchaseOrder]
    production_orders: list[ProductionOrderRecord]
    lots: list[MaterialLotRecord] = []

    def tag(self, machine_id: str, tag: str) -> Any:
        return self.tags.get(machine_id, {}).get(tag)


class World:
    """The simulator, the ERP and the MES a scenario runs against, set up and read through their public APIs."""

    def __init__(self, sim: ConnectorSettings) -> None:
        self.sim = sim
        self._control = httpx.Client(base_url=sim.sim_url, timeout=CONTROL_TIMEOUT_S)

    def close(self) -> None:
        self._control.close()

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            response = self._control.request(method, path, **kw)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise WorldError(f"simulator control {method} {path}: {exc}") from exc
        return response

    async def prepare(self, setup: Setup) -> None:
        """Fresh plant (values, faults, history, ERP and MES data), then the scenario's starting state.
        Business records come first: a planted ERP or MES outage would refuse them."""
        self._call("POST", "/reset")
        try:
            async with ErpClient.from_settings(self.sim) as erp, MesClient.from_settings(self.sim) as mes:
                for order in setup.work_orders:
                    await erp.create_work_order(WorkOrderCreate(**order.model_dump(), requested_by=SETUP_USER),
                                                idempotency_key=_key())
                for inspection in setup.inspections:
                    await mes.record_inspection(InspectionCreate(**inspection.model_dump(), requested_by=SETUP_USER),
                                                idempotency_key=_key())
                for part_id, target in setup.stock.items():
                    await _receive_up_to(erp, part_id, target)
                for held in setup.held_lots:
                    await mes.hold_lot(held.lot, LotHold(reason=held.reason, requested_by=SETUP_USER),
                                       idempotency_key=_key())
        except Exception as exc:  # noqa: BLE001 - any failure here is the environment's, reported as such
            raise WorldError(f"setting up ERP/MES records: {type(exc).__name__}: {exc}") from exc
        if setup.usual_s:
            self._call("POST", "/advance", json={"seconds": setup.usual_s})
        for fault in setup.faults:
            self._call("POST", "/faults", json=fault.model_dump(exclude_none=True))
        if setup.advance_s:
            self._call("POST", "/advance", json={"seconds": setup.advance_s})
        for text in setup.plc_text:
            self._call("POST", "/text", json=text.model_dump())

    def tags(self) -> dict[str, dict[str, Any]]:
        """Every machine's tag values in the simulation itself (offline PLCs included)."""
        return self._call("GET", "/state").json()["machines"]

    async def truth(self) -> Truth:
        """Tag values from the simulation itself, and records from the services with their outages lifted
        (a planted ERP error must not hide what was ordered)."""
        tags = self.tags()
        for kind in ("erp_error", "mes_error"):
            self._call("DELETE", "/faults", params={"kind": kind})
        try:
            async with ErpClient.from_settings(self.sim) as erp, MesClient.from_settings(self.sim) as mes:
                return Truth(tags=tags, work_orders=await erp.list_work_orders(),
                             purchase_orders=await erp.list_purchase_orders(),
                             production_orders=await mes.list_production_orders(), lots=await mes.lots())
        except Exception as exc:  # noqa: BLE001
            raise WorldError(f"reading ERP/MES records: {type(exc).__name__}: {exc}") from exc


async def _receive_up_to(erp: ErpClient, part_id: str, target: int) -> None:
    part = await erp.get_part(part_id)
    missing = target - part.stock
    if missing <= 0:
        return
    order = await erp.create_purchase_order(
        PurchaseOrderCreate(part=part_id, quantity=missing, supplier=part.offers[0].supplier, requested_by=SETUP_USER,
                            reason="eval setup: stock level"), idempotency_key=_key())
    await erp.update_purchase_order(order.id, PurchaseOrderUpdate(status="received", requested_by=SETUP_USER),
                                    idempotency_key=_key())


def _key() -> str:
    return uuid.uuid4().hex
