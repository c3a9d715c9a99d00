"""Root cause by code: when a line's defect rate rises, its machines compared, the likely causes ranked.

Pure functions of a line's histories (``tools.line_history.LineHistory``): each window is split in two, before
``split`` the usual and from it now. A machine's cause is a reading away from its setpoint (a drifting controller
or sensor), a reading away from its own usual level, a setpoint that was changed, a material lot that was
loaded, or a tool (mould, die, nozzle) run past its rated life. Each is scored by how far it moved against its
noise and range (a tool: how far past its life), by its kind, and by how much of the line's defect rise its machine
carries; when the camera finds a defect class rising on a machine, a cause there that would
make that class (copilot/quality/defect_classes.py) keeps its score and every other weighs half. Nothing found is
said so, never a cause invented.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field, replace
from enum import StrEnum

from copilot.quality.defect_classes import LOT, TOOL, ClassRise, class_rises, would_make
from tools.line_history import LineHistory, MachineHistory, Samples
from tools.lines import shown
from tools.sign_offs import SignOff

MIN_BEFORE = 5  # samples a usual level needs
MIN_NOW = 3
SIGMAS = 4.0  # a move counts beyond this many standard deviations of its usual noise ...
SHARE_OF_SPAN = 0.02  # ... and beyond this share of the tag's range
MIN_RISE = 0.5  # percentage points of defect rate that make a rise
UNEXPLAINED = 0.5  # what a cause that would not make the defect class the camera sees rising weighs
TOOL_FULL = 0.25  # a tool this share past its rated life is full evidence of wear


class CauseKind(StrEnum):
    """What kind of cause: how a machine departed from its usual running."""

    off_setpoint = "off_setpoint"  # a reading away from the setpoint that did not move: controller or sensor drift
    drift = "drift"  # a reading with no setpoint of its own away from its usual level
    setpoint_change = "setpoint_change"  # a setpoint changed within the window
    material_lot = "material_lot"  # another material lot loaded within the window
    tool_wear = "tool_wear"  # the machine's tool has run past its rated life


# a reading that follows another cause drifts too: it weighs less
WEIGHT = {CauseKind.off_setpoint: 1.0, CauseKind.material_lot: 1.0, CauseKind.tool_wear: 1.0,
          CauseKind.setpoint_change: 0.9, CauseKind.drift: 0.6}


@dataclass(frozen=True)
class Cause:
    """One likely cause with its evidence: the machine, the tag (or the material lot, or the tool: its rated life
    before, its cycles now), the machine's own defect rate before and now, and its score (0..1, higher more
    likely)."""

    kind: CauseKind
    machine_id: str
    tag: str
    unit: str
    before: float | str
    now: float | str
    score: float
    setpoint: float | None = None  # an off-setpoint reading's setpoint
    words: str = ""  # the tag as people call it
    defect_before: float | None = None
    defect_now: float | None = None
    signed_off: str = ""  # a changed setpoint's sign-off: who asked, who approved, when
    explains: str = ""  # the defect class rising on its machine that this cause would make

    @property
    def said(self) -> str:
        """The cause in words, with its figures."""
        what = self.words or self.tag.replace("_", " ")
        before, now, setpoint = (shown(v, self.unit) for v in (self.before, self.now, self.setpoint))
        text = {
            CauseKind.off_setpoint: f"{self.machine_id} {what} {now} against its setpoint {setpoint} (it was {before})",
            CauseKind.drift: f"{self.machine_id} {what} {now}, usually {before}",
            CauseKind.setpoint_change: f"{self.machine_id} {what} changed from {before} to {now}"
                                       + (f" ({self.signed_off})" if self.signed_off else ""),
            CauseKind.material_lot: f"{self.machine_id} material lot changed from {before} to {now}",
            CauseKind.tool_wear: f"{self.machine_id} {what} at {now} since its last change, past its rated life of "
                                 f"{before}",
        }[self.kind]
        if self.defect_before is not None and self.defect_now is not None:
            text += f"; its defect rate {self.defect_before:.1f} % -> {self.defect_now:.1f} %"
        if self.explains:
            text += f"; it makes {self.explains.replace('_', ' ')}"
        return text

    @property
    def moved(self) -> float | None:
        """How far its reading or setpoint moved: from its setpoint when off it, else from before; None for a lot."""
        reference = self.setpoint if self.kind is CauseKind.off_setpoint else self.before
        if isinstance(self.now, str) or isinstance(reference, str) or reference is None:
            return None
        return self.now - reference


@dataclass(frozen=True)
class RootCause:
    """A line's defect rate before and now, whether it rose, the machines compared and the causes, best first."""

    line_id: str
    defect_before: float | None
    defect_now: float | None
    rose: bool
    machines: list[str]
    causes: list[Cause]
    classes: list[ClassRise] = field(default_factory=list)  # the defect classes the camera finds rising

    @property
    def said(self) -> str:
        """The finding in words: the rise (or that there is none), the defect classes the camera finds rising, then
        the causes or that none was found."""
        if self.defect_before is None or self.defect_now is None:
            head = f"Line {self.line_id}'s defect rate is not recorded for the window."
        elif self.rose:
            head = f"Line {self.line_id}'s defect rate rose from {self.defect_before:.1f} % to {self.defect_now:.1f} %."
        else:
            head = (f"Line {self.line_id}'s defect rate is not up: {self.defect_now:.1f} % now, "
                    f"{self.defect_before:.1f} % before.")
        if self.classes:
            seen = "; ".join(c.said for c in self.classes)
            head += f" {seen[0].upper()}{seen[1:]}."
        if not self.causes:
            return (f"{head} No cause found: the readings of {', '.join(self.machines)} are at their setpoints and "
                    "usual levels, and no setpoint or material lot changed.")
        ranked = "; ".join(f"{i}) {c.said} (score {c.score:.2f})" for i, c in enumerate(self.causes, 1))
        told = "Likely causes, most likely first" if self.rose else "What changed on its machines, most marked first"
        return f"{head} {told}: {ranked}."


def _halves(samples: Samples, split: float) -> tuple[list[float], list[float]] | None:
    """The values before ``split`` and from it; None when either half is too short to judge."""
    before = [v for t, v in samples if t < split]
    now = [v for t, v in samples if t >= split]
    return (before, now) if len(before) >= MIN_BEFORE and len(now) >= MIN_NOW else None


def _moved(before: list[float], now: list[float], span: float) -> float:
    """How far the now-mean left the usual mean, in thresholds (0 when inside one): the threshold is
    ``SIGMAS`` standard deviations of the usual values or ``SHARE_OF_SPAN`` of the range, the larger."""
    threshold = max(SIGMAS * statistics.pstdev(before), SHARE_OF_SPAN * span, 1e-9)
    ratio = abs(statistics.fmean(now) - statistics.fmean(before)) / threshold
    return ratio if ratio > 1 else 0.0


def _off(before: list[float], now: list[float], target: float, span: float) -> float:
    """How far a reading now sits off its setpoint ``target``, in thresholds (0 when within ``SHARE_OF_SPAN`` of the
    range): as far as it moved away from the usual, or, where it sat off all the window (a drift already under way
    when the window opened), as far as it sits off against its own noise now."""
    offset = abs(statistics.fmean(now) - target)
    if offset <= SHARE_OF_SPAN * span:
        return 0.0
    moved = _moved([v - target for v in before], [v - target for v in now], span)
    if moved or abs(statistics.fmean(before) - target) <= SHARE_OF_SPAN * span:
        return moved
    ratio = offset / max(SIGMAS * statistics.pstdev(now), SHARE_OF_SPAN * span, 1e-9)
    return ratio if ratio > 1 else 0.0


def _strength(ratio: float) -> float:
    """A move of one threshold is weak evidence (1/3), of three or more thresholds full."""
    return min(1.0, ratio / 3)


@dataclass(frozen=True)
class _Found:
    """What one check found on a machine, before it is weighed against the line."""

    kind: CauseKind
    tag: str
    unit: str
    strength: float  # 0..1
    before: float | str
    now: float | str
    setpoint: float | None = None
    words: str = ""


def _setpoint_changes(m: MachineHistory) -> list[_Found]:
    """Each setpoint whose last value differs from its first in the window."""
    found = []
    for s in m.setpoints:
        if len(s.samples) >= 2 and not math.isclose(s.samples[0][1], s.samples[-1][1]):
            first, last = s.samples[0][1], s.samples[-1][1]
            strength = min(1.0, abs(last - first) / max(0.1 * s.span, 1e-9))
            found.append(_Found(CauseKind.setpoint_change, s.tag, s.unit, strength, first, last, words=s.words))
    return found


def _readings(m: MachineHistory, split: float, changed: set[str]) -> list[_Found]:
    """Each reading off the setpoint that drives it, or, with none, off its own usual level; a reading whose
    setpoint changed is explained by that change."""
    setpoints = {s.tag: s for s in m.setpoints}
    found = []
    for r in m.readings:
        driver = setpoints.get(m.drives.get(r.tag, ""))
        if driver is not None and driver.tag in changed:
            continue
        halves = _halves(r.samples, split)
        if halves is None:
            continue
        before, now = halves
        if driver is not None and driver.samples:
            target = driver.samples[-1][1]
            if ratio := _off(before, now, target, r.span):
                found.append(_Found(CauseKind.off_setpoint, r.tag, r.unit, _strength(ratio), statistics.fmean(before),
                                    statistics.fmean(now), target, r.words))
        elif ratio := _moved(before, now, r.span):
            found.append(_Found(CauseKind.drift, r.tag, r.unit, _strength(ratio), statistics.fmean(before),
                                statistics.fmean(now), words=r.words))
    return found


def _lots(m: MachineHistory) -> list[_Found]:
    """Each change of material lot within the window."""
    return [_Found(CauseKind.material_lot, "material_lot", "", 1.0, a.lot, b.lot)
            for a, b in zip(m.lots, m.lots[1:], strict=False) if a.lot.strip().upper() != b.lot.strip().upper()]


def _tool(m: MachineHistory) -> list[_Found]:
    """The machine's tool when it has run past its rated life: its rated cycles before, its cycles now."""
    if m.tool is None or m.tool.used <= 1:
        return []
    strength = min(1.0, (m.tool.used - 1) / TOOL_FULL)
    return [_Found(CauseKind.tool_wear, TOOL, "cycles", strength, float(m.tool.rated_cycles), float(m.tool.cycles),
                   words=m.tool.tool)]


def _defects(m: MachineHistory, split: float) -> tuple[float, float] | None:
    """The machine's mean defect rate before and now."""
    halves = _halves(m.defect_rate, split)
    return (statistics.fmean(halves[0]), statistics.fmean(halves[1])) if halves else None


def explain(line: LineHistory, *, min_rise: float = MIN_RISE) -> RootCause:
    """The line's defect rate before and now (its machines' rates summed), the defect classes the camera finds
    rising, and every cause found on its machines, ranked by score: the cause's kind weight x its strength x
    (1 + 3 x its machine's share of the rise) / 4, halved when a class rose and the cause would not make it."""
    defects = {m.machine_id: _defects(m, line.split) for m in line.machines}
    known = [d for d in defects.values() if d is not None]
    rises = {mid: max(0.0, d[1] - d[0]) for mid, d in defects.items() if d is not None}
    total_rise = sum(rises.values())
    causes = []
    for m in line.machines:
        share = rises.get(m.machine_id, 0.0) / total_rise if total_rise else 0.0
        changes = _setpoint_changes(m)
        found = changes + _readings(m, line.split, {c.tag for c in changes}) + _lots(m) + _tool(m)
        d = defects[m.machine_id]
        causes += [Cause(f.kind, m.machine_id, f.tag, f.unit, _rounded(f.before), _rounded(f.now),
                         round(WEIGHT[f.kind] * f.strength * (1 + 3 * share) / 4, 2), _rounded(f.setpoint), f.words,
                         _rounded(d[0]) if d else None, _rounded(d[1]) if d else None)
                   for f in found]
    before = round(sum(d[0] for d in known), 3) if known else None
    now = round(sum(d[1] for d in known), 3) if known else None
    rose = before is not None and now is not None and now - before >= min_rise
    classes = [r for m in line.machines for r in class_rises(m.machine_id, m.inspections, line.split)]
    causes = [_weighed(_signed_off(c, line.sign_offs), classes) for c in causes]
    ranked = sorted(causes, key=lambda c: (-c.score, c.machine_id, c.tag))
    return RootCause(line.line_id, before, now, rose, [m.machine_id for m in line.machines], ranked, classes)


def _weighed(cause: Cause, classes: list[ClassRise]) -> Cause:
    """A cause with the defect class rising on its machine that it would make; with none it would make while
    classes rose, its score weighs ``UNEXPLAINED``."""
    if not classes:
        return cause
    unit = {CauseKind.material_lot: LOT, CauseKind.tool_wear: TOOL}.get(cause.kind, cause.unit)
    made = next((r for r in classes if r.machine_id == cause.machine_id and would_make(r, unit, cause.moved)), None)
    if made is None:
        return replace(cause, score=round(cause.score * UNEXPLAINED, 2))
    return replace(cause, explains=made.defect_class.value)


def _signed_off(cause: Cause, sign_offs: list[SignOff]) -> Cause:
    """A changed setpoint with the approved sign-off that changed it (its machine, its words in the change)."""
    if cause.kind is not CauseKind.setpoint_change:
        return cause
    words = (cause.words or cause.tag.replace("_", " ")).lower()
    signed = next((s for s in sign_offs if s.machine_id == cause.machine_id and words in s.change.lower()), None)
    return replace(cause, signed_off=signed.said()) if signed else cause


def _rounded(value: float | str | None) -> float | str | None:
    return round(value, 3) if isinstance(value, float) else value
