"""The machine kinds the simulator models, by the plant file's ``kind``; any other kind holds still."""

from __future__ import annotations

from simulator.machines.base import Conditions, MachineModel, StaticMachine, lag
from simulator.machines.general import (
    CentrifugalPump,
    Conveyor,
    CuringOven,
    Filler,
    HydraulicPress,
    InjectionMoulder,
)
from simulator.machines.textile import JetDyer, Padder, Stenter

__all__ = ["MODELS", "Conditions", "MachineModel", "lag", "model_for"]

MODELS: dict[str, type[MachineModel]] = {
    m.kind: m for m in (CentrifugalPump, HydraulicPress, InjectionMoulder, CuringOven, Filler, Conveyor,
                        JetDyer, Padder, Stenter)
}


def model_for(kind: str) -> MachineModel:
    """A new model of the plant file's machine ``kind``; a kind the simulator does not know holds still."""
    return MODELS.get(kind, StaticMachine)()
