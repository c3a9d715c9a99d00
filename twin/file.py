"""The twin file: the fitted models as YAML an engineer reads, reviews and keeps beside the plant file.

Its default place is the site folder's ``twin.yaml`` (``PLANT_TWIN_FILE``): like the plant file it describes
this plant and is judged by people — the dry runs a supervisor signs off on come from it — so it belongs
with them under review, not among the run-time data in ``var/``. ``plant-copilot twin fit`` rewrites it.
Loading checks it against the plant file: an unknown machine or tag, or a missing field, is a
``TwinFileError`` that names the file, the entry and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from connectors.plant import RUN_TAG, Plant
from connectors.site import config_data, config_text, first_problems
from twin.errors import TwinFileError
from twin.model import AnyModel, Change, FitPeriod, NotFitted, Twin

HEADER = """\
# The plant's digital twin: how each reading responds to each setpoint, start and stop, fitted from the
# historian by `plant-copilot twin fit` (twin/fit.py). Edit with care; fit again after the plant changes.
#
# Each model: the reading settles f(new) - f(old) away after a setpoint change, with
#   f(u) = gain * (u - around) + curvature * (u - around)^2                (curvature 0: a straight line)
# or settles at `level` after a stop, or after a start at `level` moved by the setpoints as they are (their
# models' f(now) - f(around)); it gets there along the step response of
#   (lead_s * s + 1) / ((tau_s * s + 1) * (tau2_s * s + 1)) * exp(-dead_time_s * s)
# structure fopdt: first order plus dead time (tau2_s = lead_s = 0); second_order where the history needs it.
# rmse: fit error over the fitted windows (the reading's unit), rmse_pct: as % of its range in the plant file,
# steps: how many changes it was fitted from. not_fitted: the pairs without a model, and why.
"""
_ORDER = ["machine", "input", "change", "reading", "gain", "curvature", "around", "level", "structure", "tau_s",
          "tau2_s", "lead_s", "dead_time_s", "rmse", "rmse_pct", "steps"]


class _TwinFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    period: FitPeriod
    models: list[AnyModel] = []
    not_fitted: list[NotFitted] = []


def save_twin(twin: Twin, path: str | Path) -> Path:
    """Write the twin as YAML with a header that explains its fields; returns the path."""
    path = Path(path)
    models = []
    for model in twin.models:
        fields = model.model_dump(mode="json")
        models.append({k: fields[k] for k in _ORDER if k in fields})
    document = {
        "period": twin.period.model_dump(mode="json"),
        "models": models,
        "not_fitted": [n.model_dump(mode="json") for n in twin.not_fitted],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120),
                    encoding="utf-8")
    return path


def site_twin(path: Path, plant: Plant) -> Twin | None:
    """The site's twin, or None where its file is absent or empty: then no change is dry-run, and each says so."""
    try:
        if not path.exists() or not config_text(path).strip(" \n\t"):
            return None
    except OSError as exc:
        raise TwinFileError(f"twin file {path}: {exc}") from None
    return load_twin(path, plant)


def load_twin(path: str | Path, plant: Plant) -> Twin:
    """Read and validate a twin file against the plant; TwinFileError names the file, the entry and the field."""
    raw = config_data(path, "twin file", TwinFileError)
    if not isinstance(raw, dict):
        raise TwinFileError(f"twin file {path}: not a twin (expected period, models and not_fitted)")
    try:
        document = _TwinFile.model_validate(raw)
    except ValidationError as exc:
        problems = first_problems([_where(raw, e["loc"]) + f": {e['msg']}" for e in exc.errors()])
        raise TwinFileError(f"twin file {path}: {problems}") from None
    for i, entry in enumerate(document.models):
        _check(plant, path, f"models[{i}]", entry.machine, entry.input, entry.change, entry.reading)
    for i, entry in enumerate(document.not_fitted):
        _check(plant, path, f"not_fitted[{i}]", entry.machine, entry.input, entry.change, entry.reading)
    return Twin(plant=plant, period=document.period, models=tuple(document.models),
                not_fitted=tuple(document.not_fitted))


def _where(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """``models[3] (OV-201 temp_setpoint -> zone_temp).gain`` for a validation error's location."""
    if len(loc) >= 2 and loc[0] in ("models", "not_fitted") and isinstance(loc[1], int):
        entry = (raw.get(loc[0]) or [None] * (loc[1] + 1))[loc[1]]
        name = f"{loc[0]}[{loc[1]}]"
        if isinstance(entry, dict):
            name += f" ({entry.get('machine', '?')} {entry.get('input', '?')} -> {entry.get('reading') or 'all'})"
        rest = [str(p) for p in loc[2:] if p not in ("setpoint", "start", "stop", "start,stop")]
        return ".".join([name, *rest])
    return ".".join(map(str, loc)) or "top level"


def _check(plant: Plant, path: str | Path, where: str, machine_id: str, input_tag: str, change: Change,
           reading: str | None) -> None:
    machine = plant.machines.get(machine_id)
    if machine is None:
        raise TwinFileError(f"twin file {path}: {where}.machine: unknown machine {machine_id!r}; "
                            f"the plant has: {', '.join(plant.machines)}")
    inputs = {t.name for t in machine.setpoints} if change is Change.setpoint else {RUN_TAG} & set(machine.tags)
    if input_tag not in inputs:
        kind = "setpoint" if change is Change.setpoint else "run command"
        raise TwinFileError(f"twin file {path}: {where}.input: {machine_id} has no {kind} {input_tag!r}; "
                            f"it has: {', '.join(sorted(inputs)) or 'none'}")
    tag = machine.tags.get(reading) if reading is not None else None
    if reading is not None and (tag is None or tag.writable or tag.is_text):
        readings = [t.name for t in machine.tags.values() if not t.writable and not t.is_text]
        raise TwinFileError(f"twin file {path}: {where}.reading: {machine_id} has no numeric reading {reading!r}; "
                            f"its readings are: {', '.join(readings)}")
