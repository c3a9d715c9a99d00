"""The faults a demo or an eval can inject into the simulated plant, and the board that holds them."""

from __future__ import annotations

import threading
from enum import StrEnum

from pydantic import BaseModel, Field


class FaultKind(StrEnum):
    """What can go wrong in the simulated plant: a machine's faults, and the ERP's, MES's or PLM's."""

    bearing_wear = "bearing_wear"  # vibration and bearing temperature grow
    sensor_drift = "sensor_drift"  # a measured value drifts away from the true one
    temp_controller_drift = "temp_controller_drift"  # a temperature loop settles off its setpoint
    jam = "jam"  # material jams; the machine faults and stops
    plc_offline = "plc_offline"  # the machine's PLC stops answering on both protocols
    tool_wear = "tool_wear"  # the machine's tool (mould, die, nozzle) has run past its rated life; cleared: changed
    erp_error = "erp_error"  # the ERP answers 500 to every request
    mes_error = "mes_error"  # the MES answers 500 to every request
    plm_error = "plm_error"  # the PLM answers 500 to every request


MACHINE_FAULTS = {
    FaultKind.bearing_wear,
    FaultKind.sensor_drift,
    FaultKind.temp_controller_drift,
    FaultKind.jam,
    FaultKind.plc_offline,
    FaultKind.tool_wear,
}


class Fault(BaseModel):
    """One fault to inject: its kind, the machine (for machine faults), its severity 0..1, a sensor's tag."""

    kind: FaultKind
    machine_id: str | None = Field(default=None, description="required for machine faults")
    severity: float = Field(default=1.0, ge=0.0, le=1.0)
    tag: str | None = Field(default=None, description="for sensor_drift: which tag drifts")


class FaultBoard:
    """Active faults, shared by the physics, the protocol servers and the ERP/MES services.

    Thread-safe, because the HTTP services may run in other threads than the physics.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[tuple[FaultKind, str | None], Fault] = {}

    def inject(self, fault: Fault) -> None:
        if fault.kind in MACHINE_FAULTS and not fault.machine_id:
            raise ValueError(f"fault {fault.kind} needs a machine_id")
        with self._lock:
            self._faults[(fault.kind, fault.machine_id)] = fault

    def clear(self, kind: FaultKind | None = None, machine_id: str | None = None) -> int:
        """Remove matching faults (all of them when called with no arguments); return how many."""
        with self._lock:
            doomed = [
                key
                for key in self._faults
                if (kind is None or key[0] == kind) and (machine_id is None or key[1] == machine_id)
            ]
            for key in doomed:
                del self._faults[key]
            return len(doomed)

    def get(self, kind: FaultKind, machine_id: str | None = None) -> Fault | None:
        with self._lock:
            return self._faults.get((kind, machine_id))

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.values())
