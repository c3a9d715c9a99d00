"""The facts of a PLC write, shared by the setpoint and start/stop tools."""

from __future__ import annotations

from tools.base import ActionFacts
from tools.deps import Deps
from tools.dry_run import dry_run
from tools.lines import symbol
from tools.live import read_raw, state_of
from twin.sources import numeric


async def write_facts(deps: Deps, machine_id: str, tag_name: str, new_value: float) -> ActionFacts:
    """Where the write goes, its limits (the plant file's, narrowed to the range the PLC's server declares for
    the tag), the value it replaces (read live with the machine's other readings) and the twin's prediction of
    what it will do."""
    tag = deps.plant.tag(machine_id, tag_name)
    machine = deps.plant.machine(machine_id)
    live = await read_raw(deps.plc, machine)
    old = live[tag.name]
    state_name = state_of(machine, live) if "state" in live else None
    old_number = float(old) if isinstance(old, (int, float)) else None
    low, high = tag.min, tag.max
    if tag.writable and (server := await deps.plc.server_range(machine.id, tag.name)) is not None:
        low = server.low if low is None else max(low, server.low)  # the tighter wins, as in the connector
        high = server.high if high is None else min(high, server.high)
    return ActionFacts(
        machine_id=machine.id,
        line_id=machine.line_id,
        machine_state=state_name,
        tag=tag.name,
        tag_writable=tag.writable,
        run_command=tag.is_run_command,
        tag_min=low,
        tag_max=high,
        tag_max_step=tag.max_step,
        unit=tag.unit,
        old_value=old_number,
        new_value=float(new_value),
        prediction=dry_run(deps.twin, deps.plant, machine.id, tag.name, float(new_value), numeric(live)),
        change=f"{machine.id} {tag.words} {old_number:g} → {float(new_value):g} {symbol(tag.unit)}".rstrip()
        if old_number is not None
        else f"{machine.id} {tag.words} → {float(new_value):g} {symbol(tag.unit)}".rstrip(),
    )
