"""Finding the alarm condition an operator names on a machine: its name (vibration_high), its id, or words of it
("vibration", "bearing temperature") that fit exactly one of the machine's retained conditions, by its name
first and else by its message."""

from __future__ import annotations

from connectors.errors import InvalidRequest, NotFound, Rejected
from connectors.plc.alarms import AlarmCondition
from tools.deps import Deps


def _fits(text: str, words: str) -> bool:
    wanted = words.lower().replace("-", " ").replace("_", " ").split()
    return all(word in text.lower().replace("_", " ") for word in wanted)


async def find_condition(deps: Deps, machine_id: str, named: str) -> AlarmCondition:
    """The machine's retained condition ``named`` names; an error saying which there are when none or several fit."""
    conditions = await deps.plc.alarm_conditions(machine_id)
    if conditions is None:
        raise Rejected(f"{machine_id}'s PLC keeps no alarm conditions (its protocol has none): its alarms are its tags")
    exact = [c for c in conditions if named in (c.condition, c.condition_id)]
    fitting = exact or [c for c in conditions if _fits(c.condition, named)] or [
        c for c in conditions if _fits(c.message, named)]
    listed = "; ".join(f"{c.condition} ({c.message})" for c in conditions) or "none"
    if not fitting:
        raise NotFound(f"{machine_id} has no alarm {named!r} in its alarm list; it has: {listed}")
    if len(fitting) > 1:
        raise InvalidRequest(f"{named!r} fits several alarms of {machine_id}: "
                             f"{', '.join(c.condition for c in fitting)}; name one")
    return fitting[0]
