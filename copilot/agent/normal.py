"""A tag's approved normal: its value before the first of the writes that ran on it within the window, so that a
change made in small steps is judged as the whole change it adds up to (the twin's dry run from the normal)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from copilot.agent.runtime import Runtime
from copilot.store.audit import AuditKind, AuditRecord
from policies.model import ActionFacts, Normal, Prediction
from tools.dry_run import HORIZON_MINUTES, dry_run
from twin.predict import DryRun

SCANNED = 500  # the newest write results read back from the audit log


@dataclass(frozen=True)
class Write:
    """A write that ran on the tag: when, its action, and the value it replaced."""

    ts: float
    action_id: str | None
    old: float


def recent_writes(rt: Runtime, machine_id: str, tag: str, since: float) -> list[Write]:
    """The writes that ran on ``machine_id.tag`` since ``since`` (the audit's results), oldest first."""
    records = rt.audit.records(kind=AuditKind.result, text=f'"tag":"{tag}"', limit=SCANNED)
    return sorted((w for r in records if r.ts >= since and (w := _write(r, machine_id, tag))), key=lambda w: w.ts)


def _write(record: AuditRecord, machine_id: str, tag: str) -> Write | None:
    result = record.result
    if not (isinstance(result, dict) and result.get("machine_id") == machine_id and result.get("tag") == tag):
        return None
    old = result.get("old_value")
    if isinstance(old, bool) or not isinstance(old, int | float):
        return None
    return Write(record.ts, record.action_id, float(old))


def from_normal(rt: Runtime, facts: ActionFacts) -> ActionFacts:
    """``facts`` with the whole change from the tag's normal, when a setpoint write follows others that ran within
    the window (``approval_normal_window_hours``); as they were otherwise."""
    new = facts.new_value
    if not facts.machine_id or not facts.tag or facts.run_command or facts.prediction is None \
            or isinstance(new, bool) or not isinstance(new, int | float):
        return facts
    hours = rt.settings.approval_normal_window_hours
    writes = recent_writes(rt, facts.machine_id, facts.tag, time.time() - hours * 3600.0)
    if not writes or writes[0].old == new:
        return facts
    first = writes[0]
    normal = Normal(value=first.old, changes=len(writes), hours=hours,
                    prediction=_whole(rt, facts, first, float(new)))
    return facts.model_copy(update={"normal": normal})


def _whole(rt: Runtime, facts: ActionFacts, first: Write, new: float) -> Prediction:
    """The twin's dry run from the normal to the new value, from the readings before the first write (its own
    dry run, kept by the twin's checks), else from the readings now (which may count a settled step twice)."""
    kept = rt.twin_checks.dry_run_of(first.action_id) if first.action_id else None
    run = kept[1] if kept else DryRun.model_validate(facts.prediction.run) if facts.prediction.run else None
    if run is None or not run.trajectories:
        whole = Prediction(modelled=False, why="no readings of the machine are known to start it from",
                           minutes=HORIZON_MINUTES)
    else:
        live = {**{t.reading: t.start for t in run.trajectories}, facts.tag: first.old}
        whole = dry_run(rt.deps.twin, rt.deps.plant, facts.machine_id, facts.tag, new, live)
    if whole.modelled:
        return whole
    return whole.model_copy(update={"why": f"the whole change from its normal {first.old:g}: {whole.why}"})
