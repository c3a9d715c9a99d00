"""Which alarm conditions the simulated plant has, and whether each is active now.

A tag with an ``alarm_high`` or ``alarm_low`` in the plant file has a limit alarm for each limit; a machine
with an ``alarm_code`` tag has a PLC alarm (active while the code is not 0, named by the plant file's
``alarm_codes``); every machine has a communication alarm, active while its PLC is offline (a fault). The
judgement is the tag-based one of the copilot's alarm list (a value beyond its limit), so both ways agree.
Nothing here keeps state: :mod:`simulator.opcua_alarms` serves the conditions as OPC UA Alarms & Conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from connectors.plant import Machine, Plant, Tag
from simulator.physics import PlantSimulation

LIMIT_SEVERITY = 600
PLC_ALARM_SEVERITY = 700
OFFLINE_SEVERITY = 800
"""OPC UA severities (1..1000): a reading past its limit, a PLC's own alarm (a trip, a jam), a PLC gone silent."""


class ConditionKind(StrEnum):
    """What raises a condition: a reading above or below its limit, a PLC alarm code, a PLC offline."""

    high = "high"
    low = "low"
    plc_alarm = "plc_alarm"
    offline = "offline"


@dataclass(frozen=True)
class AlarmDefinition:
    """One alarm condition of a machine: its name (``vibration_high``), kind, tag and limit, and severity."""

    machine: Machine
    name: str
    kind: ConditionKind
    severity: int
    tag: Tag | None = None
    limit: float | None = None


@dataclass(frozen=True)
class Judgement:
    """Whether a condition is active now, and the message that says why (or that it is back to normal)."""

    active: bool
    message: str


def definitions(plant: Plant) -> list[AlarmDefinition]:
    """Every alarm condition of the plant, machine by machine in the plant file's order."""
    found: list[AlarmDefinition] = []
    for machine in plant.machines.values():
        for tag in machine.tags.values():
            if tag.alarm_high is not None:
                found.append(AlarmDefinition(machine, f"{tag.name}_high", ConditionKind.high, LIMIT_SEVERITY,
                                             tag, tag.alarm_high))
            if tag.alarm_low is not None:
                found.append(AlarmDefinition(machine, f"{tag.name}_low", ConditionKind.low, LIMIT_SEVERITY,
                                             tag, tag.alarm_low))
        if "alarm_code" in machine.tags:
            found.append(AlarmDefinition(machine, "plc_alarm", ConditionKind.plc_alarm, PLC_ALARM_SEVERITY,
                                         machine.tags["alarm_code"]))
        found.append(AlarmDefinition(machine, "plc_offline", ConditionKind.offline, OFFLINE_SEVERITY))
    return found


def _shown(value: float, tag: Tag) -> str:
    return f"{value:.4g} {tag.unit}".rstrip()


def _limit(definition: AlarmDefinition, value: float) -> Judgement:
    tag, limit = definition.tag, definition.limit
    beyond = value > limit if definition.kind is ConditionKind.high else value < limit
    side = "above" if definition.kind is ConditionKind.high else "below"
    if beyond:
        return Judgement(True, f"{tag.words} {_shown(value, tag)} {side} alarm limit {_shown(limit, tag)}")
    return Judgement(False, f"{tag.words} {_shown(value, tag)} back within alarm limit {_shown(limit, tag)}")


def judge(definition: AlarmDefinition, sim: PlantSimulation, plant: Plant) -> Judgement | None:
    """The condition's state now; None while the machine's PLC is offline (it cannot judge its own readings)."""
    machine_id = definition.machine.id
    offline = sim.is_offline(machine_id)
    if definition.kind is ConditionKind.offline:
        return Judgement(offline, f"{machine_id}: the PLC does not answer" if offline
                         else f"{machine_id}: the PLC answers again")
    if offline:
        return None
    value = sim.read(machine_id, definition.tag.name)
    if definition.kind is ConditionKind.plc_alarm:
        code = int(value)
        if code == 0:
            return Judgement(False, f"{machine_id}: no PLC alarm")
        return Judgement(True, f"PLC alarm {code}: {plant.alarm_codes.get(code, 'unknown alarm')}")
    return _limit(definition, float(value))
