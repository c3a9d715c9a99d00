"""The records the ERP and MES exchange: the shape of their HTTP API, as pure pydantic models.

The connectors parse answers into these; the simulator's ERP and MES services use the same models, so both sides agree
by construction. Request models (``...Create``, ``...Change``, ``...Update``) forbid unknown fields (a typo is an
error, not an ignored wish); answer models ignore fields they do not know (a newer server breaks no older client)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from connectors.inspection_detail import InspectionDetail


class Priority(StrEnum):
    """How urgent a work order is, from ``low`` to ``urgent``."""

    low = "low"
    medium = "medium"
    high = "high"
    urgent = "urgent"


class WorkOrderKind(StrEnum):
    """What a work order is for: a repair (``corrective``), planned maintenance, or an inspection."""

    corrective = "corrective"
    preventive = "preventive"
    inspection = "inspection"


class WorkOrderStatus(StrEnum):
    """Where a work order stands; ``done`` and ``cancelled`` are final."""

    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class PurchaseOrderStatus(StrEnum):
    """Where a purchase order stands: ``ordered`` until the goods are ``received`` or it is ``cancelled``."""

    ordered = "ordered"
    received = "received"
    cancelled = "cancelled"


class ProductionOrderStatus(StrEnum):
    """Where a production order stands; ``done`` and ``cancelled`` are final."""

    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


OPEN_WORK_ORDER_STATUSES: frozenset[WorkOrderStatus] = frozenset({WorkOrderStatus.open, WorkOrderStatus.in_progress})
FINAL_WORK_ORDER_STATUSES: frozenset[WorkOrderStatus] = frozenset({WorkOrderStatus.done, WorkOrderStatus.cancelled})
FINAL_PURCHASE_ORDER_STATUSES: frozenset[PurchaseOrderStatus] = frozenset(
    {PurchaseOrderStatus.received, PurchaseOrderStatus.cancelled})
FINAL_PRODUCTION_ORDER_STATUSES: frozenset[ProductionOrderStatus] = frozenset(
    {ProductionOrderStatus.done, ProductionOrderStatus.cancelled})


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _without_description(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


# ---------------------------------------------------------------------------------------- ERP: parts


class PartOffer(_Answer):
    """One supplier's standing offer for a part."""

    supplier: str = Field(description="supplier id, e.g. SUP-NORD")
    supplier_name: str
    price: float = Field(description="unit price")
    lead_time_days: int
    carbon_kg: float = Field(description="kg CO2e per unit delivered")


class SparePart(_Answer):
    """A spare part with its stock, reorder rule, offers and the machines that use it."""

    id: str
    name: str
    unit: str
    stock: int
    reorder_point: int
    reorder_qty: int
    on_order: int = Field(description="quantity on purchase orders not yet received")
    below_reorder: bool = Field(description="stock at or below the reorder point")
    offers: list[PartOffer]
    machines: list[str] = Field(description="machines whose bill of materials lists the part")


class StockLevel(_Answer):
    """One inventory line: stock against the reorder point."""

    part: str
    name: str
    unit: str
    stock: int
    reorder_point: int
    reorder_qty: int
    on_order: int
    below_reorder: bool


class SupplierRecord(_Answer):
    """A supplier the ERP buys from."""

    id: str
    name: str
    country: str


# ---------------------------------------------------------------------------------------- ERP: work orders


class WorkOrderPart(_Request):
    """A spare part and the quantity of it a work order needs."""

    # kept out of the JSON schema, which the create_work_order tool shows the model among its arguments
    model_config = ConfigDict(json_schema_extra=_without_description)

    part: str = Field(min_length=1, description="part number, e.g. BRG-6205")
    qty: int = Field(gt=0, le=10_000)


class WorkOrderCreate(_Request):
    """A request to open a work order on a machine; it opens with status ``open``."""

    machine_id: str = Field(min_length=1)
    title: str = Field(min_length=3, max_length=120)
    description: str = Field(default="", max_length=2000)
    priority: Priority = Priority.medium
    kind: WorkOrderKind = WorkOrderKind.corrective
    parts: list[WorkOrderPart] = Field(default=[], max_length=50)
    requested_by: str = Field(min_length=1, max_length=80)


class WorkOrderUpdate(_Request):
    """A work order's next status, with who asks and why."""

    status: WorkOrderStatus
    note: str = Field(default="", max_length=2000)
    requested_by: str = Field(min_length=1, max_length=80)


class WorkOrderEvent(_Answer):
    """A step in a work order's life: opened, started, done, cancelled, with who and why."""

    at: datetime
    status: WorkOrderStatus
    note: str
    by: str


class WorkOrder(_Answer):
    """A maintenance work order in the ERP's CMMS, with its history oldest first."""

    id: str
    machine_id: str
    line_id: str
    title: str
    description: str
    priority: Priority
    kind: WorkOrderKind
    parts: list[WorkOrderPart]
    status: WorkOrderStatus
    requested_by: str
    created_at: datetime
    updated_at: datetime
    history: list[WorkOrderEvent]

    @property
    def is_open(self) -> bool:
        """Still to be worked on: ``open`` or ``in_progress``."""
        return self.status in OPEN_WORK_ORDER_STATUSES


# ---------------------------------------------------------------------------------------- ERP: purchase orders


class PurchaseOrderCreate(_Request):
    """A request to order a quantity of a part from one of its suppliers."""

    part: str = Field(min_length=1, description="part number, e.g. BRG-6205")
    quantity: int = Field(gt=0, le=10_000)
    supplier: str = Field(min_length=1, description="supplier id, e.g. SUP-FAST")
    requested_by: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=500)


class PurchaseOrderUpdate(_Request):
    """Goods received (the quantity goes into stock) or the order cancelled."""

    status: Literal["received", "cancelled"]
    note: str = Field(default="", max_length=2000)
    requested_by: str = Field(min_length=1, max_length=80)


class PurchaseOrder(_Answer):
    """A purchase order of one part from one supplier, priced and with its expected delivery."""

    id: str
    part: str
    part_name: str
    quantity: int
    unit: str
    supplier: str
    supplier_name: str
    unit_price: float
    total_price: float
    lead_time_days: int
    expected_delivery: date
    carbon_kg_total: float
    status: PurchaseOrderStatus
    requested_by: str
    reason: str
    created_at: datetime
    updated_at: datetime
    note: str = Field(description="the note of the last status change")


# ---------------------------------------------------------------------------------------- MES: lines and products


class ProductionLine(_Answer):
    """A production line and its machines."""

    id: str
    name: str
    machines: list[str]
    output_machine: str | None = Field(description="the machine whose good count is the line's output")


class VariantRecord(_Answer):
    """One variant of a product: its colour and options."""

    id: str
    colour: str
    options: list[str]


class ProductRecord(_Answer):
    """A product the MES makes on one line, with its variants."""

    id: str
    name: str
    line: str
    variants: list[VariantRecord]


class MachineStatus(_Answer):
    """A machine as the MES sees it through its PLC; ``offline`` when the PLC does not answer."""

    machine_id: str
    name: str
    state: str = Field(description="running, stopped, faulted, or offline")
    alarm_code: int | None
    alarm: str | None
    good_count: int | None
    reject_count: int | None
    defect_rate: float | None = Field(description="percent")


# ---------------------------------------------------------------------------------------- MES: production orders


class ProductionOrderChange(_Request):
    """A change of a running or planned order: another variant of the same product, or another quantity."""

    variant: str | None = Field(default=None, min_length=1)
    quantity: int | None = Field(default=None, gt=0, le=10_000_000)
    requested_by: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _something_changes(self) -> ProductionOrderChange:
        if self.variant is None and self.quantity is None:
            raise ValueError("give a new variant, a new quantity, or both")
        return self


class OrderChange(_Answer):
    """One field of a production order changed, by whom and why."""

    at: datetime
    field: Literal["variant", "quantity", "status"]
    old: str
    new: str
    requested_by: str
    reason: str


class ProductionOrderRecord(_Answer):
    """A production order: how many of which variant, how many made, and its changes oldest first."""

    id: str
    line: str
    product: str
    product_name: str
    variant: str
    variants: list[str] = Field(description="the product's variants this order may switch to")
    quantity: int
    produced: int
    remaining: int
    status: ProductionOrderStatus
    changes: list[OrderChange]
    due: date | None = Field(default=None, description="the day it is due, if it has a due date")
    queue_position: int | None = Field(default=None, description="its place in its line's queue, 1 next; None: begun")


class LineStatus(_Answer):
    """A line as the MES sees it: each machine's status and the order in progress."""

    line_id: str
    name: str
    machines: list[MachineStatus]
    current_order: ProductionOrderRecord | None = Field(description="the order in progress, if any")
    output_machine: str | None


# ---------------------------------------------------------------------------------------- MES: quality


class InspectionCreate(_Request, InspectionDetail):
    """A quality inspection to record: parts inspected on a machine and defects found (no more than inspected)."""

    machine_id: str = Field(min_length=1)
    inspected: int = Field(gt=0, le=1_000_000)
    defects: int = Field(ge=0)
    defect_type: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=1000)
    requested_by: str = Field(min_length=1, max_length=80)

    @model_validator(mode="after")
    def _defects_fit(self) -> InspectionCreate:
        if self.defects > self.inspected:
            raise ValueError("defects cannot exceed parts inspected")
        return self


class Inspection(_Answer, InspectionDetail):
    """A recorded quality inspection, with its defect rate."""

    id: str
    machine_id: str
    line_id: str
    inspected: int
    defects: int
    defect_rate: float = Field(description="percent of inspected parts found defective")
    defect_type: str
    note: str
    requested_by: str
    recorded_at: datetime


class MachineQuality(_Answer):
    """A machine's output quality: live counters and rate, what it made in the window, inspections."""

    machine_id: str
    line_id: str
    good_count: int | None = Field(description="good-parts counter now")
    reject_count: int | None = Field(description="rejected-parts counter now")
    defect_rate: float | None = Field(description="defect rate now, percent")
    good_in_window: int | None
    rejects_in_window: int | None
    inspections: list[Inspection] = Field(description="inspections recorded in the window, newest first")


class QualityReport(_Answer):
    """Each machine's quality over the last ``since_minutes``."""

    since_minutes: float
    machines: list[MachineQuality]


class TagHistory(_Answer):
    """The historian's samples of one machine's tag over the last ``minutes``."""

    machine_id: str
    tag: str
    unit: str
    minutes: float
    samples: list[tuple[float, float]] = Field(description="(simulation seconds, value), oldest first")
