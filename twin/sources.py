"""Where the twin's data comes from: the plant's historian (``connectors.historian``), live values through the PLC's.

The same calls read a real plant's historian and PLCs or the simulator's, so a twin fitted on the demo plant
has seen nothing a real plant would not show.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.historian import HistorySource
from connectors.plant import Machine, Plant
from connectors.plc import PlcClient, Value
from twin.fit import History
from twin.steps import Samples, inputs_of


def history_tags(machine: Machine) -> list[str]:
    """The numeric tags a fit reads: the inputs and every reading."""
    return [t.name for t in machine.tags.values() if not t.is_text and (t.name in inputs_of(machine) or not t.writable)]


async def read_history(source: HistorySource, plant: Plant, hours: float, machines: list[str] | None = None) -> History:
    """The last ``hours`` of every numeric tag of the machines (all of them by default): machine -> tag -> samples."""
    chosen = [plant.machine(m) for m in machines] if machines else list(plant.machines.values())
    history: dict[str, dict[str, Samples]] = {}
    for machine in chosen:
        history[machine.id] = {name: await source.samples(machine.id, name, hours * 60.0)
                               for name in history_tags(machine)}
    return history


def numeric(values: Mapping[str, Value]) -> dict[str, float]:
    """The numbers among a machine's tag values (the run coil as 0 or 1), as the twin starts from them."""
    return {name: float(v) for name, v in values.items() if isinstance(v, int | float)}


async def live_values(plc: PlcClient, machine_id: str, tags: list[str] | None = None) -> dict[str, float]:
    """The machine's numeric tags now (all, or ``tags``), as the PLC reports them."""
    return numeric({name: v.value for name, v in (await plc.read_many(machine_id, tags)).items()})
