"""The live systems a tool may use: the plant description, the PLC, the ERP, the MES, the manuals and the twin
that predicts what a change to the process will do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from connectors.plant import Plant

if TYPE_CHECKING:
    from connectors.erp import ErpClient
    from connectors.historian import HistorySource
    from connectors.mes import MesClient
    from connectors.plc import PlcClient
    from connectors.plm import PlmClient
    from knowledge.store import ManualStore
    from tools.sign_offs import SignOffs
    from twin.model import Twin


class System(StrEnum):
    """A system beside the PLCs that a tool needs and a plant may lack (a tool lists those it uses)."""

    erp = "erp"
    mes = "mes"  # the production orders, the quality records and, unless the plant names another, the historian
    manuals = "manuals"
    plm = "plm"  # products, option rules, BOMs, routings and recipes


@dataclass(frozen=True)
class Deps:
    """What a tool runs against: the plant file, the PLCs, the ERP, the MES, and the manuals, the twin, the
    copilot's record of sign-offs, the PLM if any and the historian (the MES's unless another is given)."""

    plant: Plant
    plc: PlcClient
    erp: ErpClient
    mes: MesClient
    manuals: ManualStore | None = None
    twin: Twin | None = None
    sign_offs: SignOffs | None = None
    plm: PlmClient | None = None
    history: HistorySource | None = None
    """The plant's historian; None: the MES's history endpoint."""

    def __post_init__(self) -> None:
        if self.history is None:
            from connectors.historian.mes import MesHistory

            object.__setattr__(self, "history", MesHistory(self.mes))
