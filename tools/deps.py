"""The live systems a tool may use: the plant description, the PLC, the ERP, the MES and the manuals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from connectors.plant import Plant

if TYPE_CHECKING:
    from connectors.erp import ErpClient
    from connectors.mes import MesClient
    from connectors.plc import PlcClient
    from knowledge.store import ManualStore


@dataclass(frozen=True)
class Deps:
    plant: Plant
    plc: PlcClient
    erp: ErpClient
    mes: MesClient
    manuals: ManualStore | None = None
