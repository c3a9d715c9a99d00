"""The plant as people look at it: each machine now — its state, readings and alarms, judged as the tools
judge them (tools/live.py), and the alarm conditions its PLC's server keeps (OPC UA Alarms & Conditions) where it
keeps them — a tag's trend from the historian, and the open work and purchase orders.

It has connections of its own, so the app's overview shows the plant while the model still loads, and its
polling never queues behind the copilot's calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from connectors.erp import ErpClient
from connectors.errors import ConnectorError
from connectors.historian import HistorySource, open_history
from connectors.plant import Machine, Plant
from connectors.plc import PlcClient, Protocol, open_plc
from connectors.plc.alarms import AlarmCondition
from connectors.records import PurchaseOrder, PurchaseOrderStatus, WorkOrder
from connectors.settings import ConnectorSettings
from tools.live import Alarm, Reading, alarms_of, read_raw, readings, state_of

Samples = list[tuple[float, float]]
PlantError = ConnectorError  # what a view's call raises when a system of the plant does not answer


@dataclass(frozen=True)
class MachineNow:
    """One machine now: state, readings and alarms; ``problem`` says why when its PLC did not answer."""

    machine: Machine
    state: str  # running, stopped, faulted, unknown
    readings: list[Reading]
    alarms: list[Alarm]
    problem: str | None = None  # the PLC did not answer: why
    conditions: list[AlarmCondition] | None = None  # its server's alarm conditions; None where it keeps none


@dataclass(frozen=True)
class OpenOrders:
    """The work orders open or in progress, and the purchase orders not yet received."""

    work_orders: list[WorkOrder]  # open or in progress
    purchase_orders: list[PurchaseOrder]  # ordered, not yet received


class PlantView:
    """The plant as it is now, read from its PLCs, the ERP and the historian."""

    def __init__(self, plant: Plant, plc: PlcClient, erp: ErpClient, history: HistorySource) -> None:
        self.plant = plant
        self._plc, self._erp, self._history = plc, erp, history

    @classmethod
    @asynccontextmanager
    async def open(cls, connectors: ConnectorSettings, protocol: Protocol) -> AsyncIterator[PlantView]:
        """``protocol``: of the machines whose PLC the plant file does not name."""
        plant = connectors.load_plant()
        async with AsyncExitStack() as stack:
            plc = await stack.enter_async_context(open_plc(connectors, plant, protocol))
            erp = await stack.enter_async_context(ErpClient.from_settings(connectors))
            history = await stack.enter_async_context(open_history(connectors, plant))
            yield cls(plant, plc, erp, history)

    async def machines(self) -> list[MachineNow]:
        """Every machine now; one whose PLC does not answer says why instead."""

        async def one(machine: Machine) -> MachineNow:
            try:
                conditions = await self._plc.alarm_conditions(machine.id)
            except ConnectorError:
                conditions = None  # the tags' alarms still tell
            try:
                raw = await read_raw(self._plc, machine)
            except ConnectorError as exc:
                return MachineNow(machine, "unknown", [], [], problem=str(exc), conditions=conditions)
            return MachineNow(machine, state_of(machine, raw), readings(machine, raw),
                              alarms_of(self.plant, machine, raw), conditions=conditions)

        # one after the other: a dead PLC makes the client reconnect, which would cut concurrent reads short
        return [await one(m) for m in self.plant.machines.values()]

    def trendable(self, machine_id: str) -> list[str]:
        """The tags of a machine that make a trend line (numbers, not states, flags, texts or alarm codes)."""
        machine = self.plant.machine(machine_id)
        return [n for n, t in machine.tags.items()
                if not t.is_text and not t.enum and t.value_type != "bool" and n != "alarm_code"]

    async def trend(self, machine_id: str, tags: list[str], minutes: float) -> dict[str, Samples]:
        """The historian's samples of each tag over the last ``minutes`` (seconds on the plant's clock)."""
        got = await asyncio.gather(*(self._history.samples(machine_id, t, minutes) for t in tags))
        return dict(zip(tags, got, strict=True))

    async def open_orders(self) -> OpenOrders:
        work, bought = await asyncio.gather(self._erp.list_work_orders(), self._erp.list_purchase_orders())
        return OpenOrders([w for w in work if w.is_open],
                          [p for p in bought if p.status is PurchaseOrderStatus.ordered])
