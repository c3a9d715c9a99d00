"""The facts of a PLC write, shared by the setpoint and start/stop tools."""

from __future__ import annotations

from connectors.errors import ConnectorError
from tools.base import ActionFacts
from tools.deps import Deps
from tools.live import state_of


async def write_facts(deps: Deps, machine_id: str, tag_name: str, new_value: float) -> ActionFacts:
    """Where the write goes, its limits, and the value it replaces (read live from the PLC)."""
    tag = deps.plant.tag(machine_id, tag_name)
    machine = deps.plant.machine(machine_id)
    old = (await deps.plc.read(machine.id, tag.name)).value
    try:
        state_name = state_of(machine, {"state": (await deps.plc.read(machine.id, "state")).value})
    except ConnectorError:
        state_name = None
    old_number = float(old) if isinstance(old, (int, float)) else None
    return ActionFacts(
        machine_id=machine.id,
        line_id=machine.line_id,
        machine_state=state_name,
        tag=tag.name,
        tag_writable=tag.writable,
        run_command=tag.is_run_command,
        tag_min=tag.min,
        tag_max=tag.max,
        tag_max_step=tag.max_step,
        unit=tag.unit,
        old_value=old_number,
        new_value=float(new_value),
        change=f"{machine.id} {tag.name} {old_number:g} → {float(new_value):g} {tag.unit}".rstrip()
        if old_number is not None
        else f"{machine.id} {tag.name} → {float(new_value):g} {tag.unit}".rstrip(),
    )
