"""A configure-to-order check as a person reads it: the verdict first, then its reasons, from the check alone."""

from __future__ import annotations

from copilot.orders.result import ConfigurationCheck, MaterialCheck, Verdict


def _late(material: MaterialCheck) -> str:
    offers = "; ".join(s.line for s in material.substitutions) or "no substitution"
    return f"{material.line}. Substitutions for {material.material}: {offers}"


def said(check: ConfigurationCheck) -> str:
    """The check in words: refused with the rule or the setpoint, or whether the due date holds, with the line's
    time, each material that is late and its substitutions (the recommended one marked)."""
    what = check.request.line
    if check.verdict is Verdict.rule_broken:
        return f"{what}: refused, it breaks " + "; ".join(b.line for b in check.broken_rules)
    if check.verdict is Verdict.recipe_beyond_limits:
        return f"{what}: refused, its recipe sets " + "; ".join(s.line for s in check.recipe_refusals)
    capacity = check.capacity
    holds = "holds" if check.verdict is Verdict.on_time else "does not hold"
    finish = f"finished {check.finish}" if check.finish else "a material cannot be had"
    text = (f"{what}: the due date {check.request.due} {holds} ({finish}). Line {capacity.line_id}: "
            f"{capacity.queue_h:.1f} h queued ahead ({', '.join(capacity.queued_orders) or 'none'}), "
            f"{capacity.changeover_h:.1f} h changeover, {capacity.run_h:.1f} h run, free on {capacity.line_free}")
    late = [_late(m) for m in check.late_materials]
    text += ". Late: " + ". ".join(late) if late else ". Every material is there in time"
    return text + _placed(check)


def _placed(check: ConfigurationCheck) -> str:
    """Where the order runs when the line is sequenced by changeover, and what the line saves."""
    sequence = check.sequence
    slot = sequence.candidate if sequence else None
    if slot is None:
        return ""
    place = sequence.after.index(slot)
    after = f"after {sequence.after[place - 1].name}" if place else "first"
    return (f". Sequenced by changeover it runs {after} ({slot.changeover_min:g} min changeover), finished "
            f"{slot.finish}; the line's changeover {sequence.changeover_before_min:g} → "
            f"{sequence.changeover_after_min:g} min")
