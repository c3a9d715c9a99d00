"""Reading a machine's live tags and judging them against the plant file's alarm thresholds."""

from __future__ import annotations

from pydantic import BaseModel

from connectors.plant import Machine, Plant, Tag
from connectors.plc import PlcClient
from tools.lines import shown


class Reading(BaseModel):
    """One tag's live value as shown (an enum's name, a float to 3 decimals), with its unit; a setpoint with its
    write limits."""

    tag: str
    value: float | int | bool | str
    unit: str = ""
    words: str = ""  # how people call the tag (Tag.words)
    writable: bool = False
    low: float | None = None  # a setpoint's write limits and its largest step per change
    high: float | None = None
    max_step: float | None = None

    def allowed(self) -> str:
        """A setpoint's write limits as a person reads them ("may be set from 180 to 260 °C, up to 10 °C a
        change"); empty for a reading."""
        if self.low is None or self.high is None:
            return ""
        step = f", up to {shown(self.max_step, self.unit)} a change" if self.max_step else ""
        return f"may be set from {shown(self.low)} to {shown(self.high, self.unit)}{step}"

    def said(self) -> str:
        """As a person reads it: its words, the value rounded with its unit, a setpoint's limits in brackets."""
        limits = self.allowed()
        return f"{self.words or self.tag} {shown(self.value, self.unit)}" + (f" ({limits})" if limits else "")


class Alarm(BaseModel):
    """An active alarm on a machine: a PLC alarm code, or a tag past its alarm limit."""

    machine_id: str
    tag: str
    value: float | int | bool | str
    threshold: float | None = None
    message: str




def _display(tag: Tag, value: float | int | bool | str) -> float | int | bool | str:
    if tag.enum and isinstance(value, (int, float)) and int(value) in tag.enum:
        return tag.enum[int(value)]
    if isinstance(value, float):
        return round(value, 3)
    return value


async def read_raw(plc: PlcClient, machine: Machine) -> dict[str, float | int | bool | str]:
    """All tags of a machine over the PLC; raises the connector's typed errors (dead PLC, timeout)."""
    return {name: tv.value for name, tv in (await plc.read_many(machine.id)).items()}


def readings(machine: Machine, raw: dict[str, float | int | bool | str]) -> list[Reading]:
    """The machine's tags found in ``raw``, in the plant file's order, as shown to a person."""
    setpoints = {t.name for t in machine.setpoints}
    return [
        Reading(tag=name, value=_display(tag, raw[name]), unit=tag.unit, words=tag.words, writable=tag.writable,
                **({"low": tag.min, "high": tag.max, "max_step": tag.max_step} if name in setpoints else {}))
        for name, tag in machine.tags.items()
        if name in raw
    ]


def state_of(machine: Machine, raw: dict[str, float | int | bool | str]) -> str:
    """The machine's ``state`` tag as shown (running, stopped, ...), or ``unknown`` when it has none."""
    value = raw.get("state")
    return str(_display(machine.tags["state"], value)) if "state" in machine.tags and value is not None else "unknown"


def alarms_of(plant: Plant, machine: Machine, raw: dict[str, float | int | bool | str]) -> list[Alarm]:
    """Alarms from the PLC's alarm code and from each tag's thresholds."""
    found: list[Alarm] = []
    code = raw.get("alarm_code")
    if isinstance(code, (int, float)) and int(code) != 0:
        text = plant.alarm_codes.get(int(code), "unknown alarm")
        found.append(Alarm(machine_id=machine.id, tag="alarm_code", value=int(code),
                           message=f"PLC alarm {int(code)}: {text}"))
    for name, tag in machine.tags.items():
        value = raw.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if tag.alarm_high is not None and value > tag.alarm_high:
            found.append(Alarm(machine_id=machine.id, tag=name, value=round(value, 3), threshold=tag.alarm_high,
                               message=f"{tag.words} {shown(float(value), tag.unit)} above alarm limit "
                                       f"{shown(tag.alarm_high, tag.unit)}"))
        if tag.alarm_low is not None and value < tag.alarm_low:
            found.append(Alarm(machine_id=machine.id, tag=name, value=round(value, 3), threshold=tag.alarm_low,
                               message=f"{tag.words} {shown(float(value), tag.unit)} below alarm limit "
                                       f"{shown(tag.alarm_low, tag.unit)}"))
    return found
