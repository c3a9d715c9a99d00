"""The monitor's file: what it watches for and which procedure each finding starts, checked when it starts.

A mistake names the detection and the field, as the policy and procedures files do: an unknown kind, a tag
no machine has, a procedure the procedures file lacks, a slot that procedure does not have. The product's file
names the demo plant's tags (its ``written_for``): on another plant, each detection watches the tags that plant
has, and one left with nothing to watch, or whose procedure the plant is not offered, is left out.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from connectors.plant import Plant, load_plant
from connectors.site import config_data, shipped_plant
from copilot.monitor.drift_limits import DriftThresholds
from copilot.procedures.spec import Procedures


class MonitorError(ValueError):
    """The monitor file cannot be used; the message names the detection and the field."""


class DetectionKind(StrEnum):
    """What a detection looks for in a machine's tags."""

    toward_limit = "toward_limit"
    rising_together = "rising_together"
    off_setpoint = "off_setpoint"
    above_usual = "above_usual"
    stopped = "stopped"
    order_turn = "order_turn"  # a line's order made, the next one's recipe not yet on the machines (the MES's)


class Detection(BaseModel):
    """One thing the monitor watches for: its kind, tags and thresholds, and the procedure (with its
    slots) that a finding starts."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str = Field(min_length=1)
    kind: DetectionKind
    tags: list[str] = []
    pairs: dict[str, str] = {}  # off_setpoint: reading -> its setpoint
    window_minutes: float | None = Field(default=None, gt=0, le=24 * 60, description="the history it reads; every "
                                         "kind but order_turn (which reads the MES) needs it")
    within_hours: float = Field(default=4.0, gt=0)
    min_rise_per_hour: dict[str, float] = {}
    band: float = Field(default=0.03, gt=0)
    recent_minutes: float = Field(default=10.0, gt=0)
    sigmas: float = Field(default=4.0, gt=0)
    min_rise: float = Field(default=0.0, ge=0)
    procedure: str
    slots: dict[str, Any] = {}
    per_line: bool = Field(default=False, description="one alert per line: the line's machines that find it share "
                           "one alert and one run of its procedure")
    recheck: str | None = Field(default=None, description="a procedure run in the alert's thread once a correction "
                                "it proposed has run and the camera has inspected enough parts since")

    @property
    def subject_slot(self) -> str:
        """The slot its procedure gets the finding's subject in: the line for an order's turn, else the machine."""
        return "line" if self.kind is DetectionKind.order_turn else "machine"

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> Detection:
        if self.window_minutes is None and self.kind is not DetectionKind.order_turn:
            raise ValueError(f"a {self.kind} detection needs window_minutes")
        needs = {DetectionKind.toward_limit: self.tags, DetectionKind.rising_together: self.min_rise_per_hour,
                 DetectionKind.off_setpoint: self.pairs, DetectionKind.above_usual: self.tags}
        if self.kind in needs and not needs[self.kind]:
            field = {DetectionKind.rising_together: "min_rise_per_hour", DetectionKind.off_setpoint: "pairs"}.get(
                self.kind, "tags")
            raise ValueError(f"a {self.kind} detection needs {field}")
        if self.kind is DetectionKind.rising_together and set(self.tags) != set(self.min_rise_per_hour):
            raise ValueError("min_rise_per_hour needs a rise for each of tags, and no other")
        if self.kind is DetectionKind.above_usual and self.recent_minutes >= (self.window_minutes or 0):
            raise ValueError("recent_minutes must be shorter than window_minutes")
        return self


class AlarmAlerting(BaseModel):
    """Alerts from the alarm conditions the PLCs' servers keep: one per alarm, one per flood (more than
    ``flood_above`` alarms within ``window_minutes``) with its first cause."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    flood_above: int = Field(default=10, ge=1)
    window_minutes: float = Field(default=10.0, gt=0, le=24 * 60)


class MonitorSpec(BaseModel):
    """The monitor file: how often to check, what to watch for, whether the PLCs' alarms open alerts, and the
    thresholds of the copilot's own figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    interval_s: float = Field(default=60.0, gt=0)
    detections: list[Detection]
    alarms: AlarmAlerting | None = None
    drift: DriftThresholds | None = None  # the copilot's own figures the monitor judges (copilot/monitor/drift.py)

    @classmethod
    def load(cls, path: Path, plant: Plant, procedures: Procedures) -> MonitorSpec:
        raw = config_data(path, "monitor file", MonitorError) or {}
        written_for = raw.pop("written_for", None) if isinstance(raw, dict) else None
        foreign = written_for is not None and load_plant(shipped_plant(str(written_for))) != plant
        return cls.from_data(raw, plant, procedures, source=str(path), fit=foreign)

    @classmethod
    def from_data(cls, raw: Any, plant: Plant, procedures: Procedures, *, source: str = "monitor file",
                  fit: bool = False) -> MonitorSpec:
        """The file's detections checked against the plant; ``fit``: written for another plant, so each is
        narrowed to the tags this plant has first (and left out when nothing is left to watch)."""
        items = raw.get("detections") if isinstance(raw, dict) else None
        if not isinstance(items, list) or not items:
            raise MonitorError(f"{source}: needs a 'detections:' list")
        detections = []
        for i, item in enumerate(items):
            name = item.get("name", f"detections[{i}]") if isinstance(item, dict) else f"detections[{i}]"
            try:
                detection = Detection.model_validate(item)
            except ValidationError as exc:
                where = "; ".join(f"field {'.'.join(map(str, e['loc'])) or '-'}: {e['msg']}" for e in exc.errors())
                raise MonitorError(f"{source}, detection {name!r}: {where}") from None
            if fit and (detection := _fitted(detection, plant, procedures)) is None:
                continue
            problem = _unknown(detection, plant, procedures)
            if problem:
                raise MonitorError(f"{source}, detection {name!r}: {problem}")
            detections.append(detection)
        try:
            return cls(interval_s=raw.get("interval_s", 60.0), detections=detections, alarms=raw.get("alarms"),
                       drift=raw.get("drift"))
        except ValidationError as exc:
            error = exc.errors()[0]
            raise MonitorError(f"{source}: field {'.'.join(map(str, error['loc']))}: {error['msg']}") from None


def _fitted(detection: Detection, plant: Plant, procedures: Procedures) -> Detection | None:
    """The detection on a plant it was not written for: only the tags this plant has; None when nothing is left
    to watch or its procedure is not offered here."""
    tags = {t for m in plant.machines.values() for t in m.tags}
    kept = [t for t in detection.tags if t in tags]
    narrowed = {"tags": kept, "pairs": {r: s for r, s in detection.pairs.items() if r in tags and s in tags},
                "min_rise_per_hour": {t: r for t, r in detection.min_rise_per_hour.items() if t in kept}}
    if procedures.get(detection.procedure) is None:
        return None
    if detection.recheck and procedures.get(detection.recheck) is None:
        narrowed["recheck"] = None
    try:
        return Detection.model_validate(detection.model_dump() | narrowed)
    except ValidationError:  # nothing of its kind left to watch
        return None


def _unknown(detection: Detection, plant: Plant, procedures: Procedures) -> str | None:
    """What the detection names that the plant or the procedures do not have."""
    tags = {t for m in plant.machines.values() for t in m.tags}
    for tag in [*detection.tags, *detection.pairs, *detection.pairs.values()]:
        if tag not in tags:
            return f"field tags: no machine has a tag {tag!r}"
    for field in ("procedure", "recheck"):
        name = getattr(detection, field)
        if name is None:
            continue
        procedure = procedures.get(name)
        if procedure is None:
            return f"field {field}: no procedure {name!r}; procedures are {', '.join(procedures.names)}"
        slot = detection.subject_slot if field == "procedure" else "machine"
        if slot not in procedure.slots:
            return f"field {field}: {name} takes no {slot}"
    procedure = procedures.get(detection.procedure)
    extra = [s for s in detection.slots if s not in procedure.slots]
    if extra:
        return f"field slots: {detection.procedure} has no slot {extra[0]!r}"
    return None
