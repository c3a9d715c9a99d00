"""What a setpoint's register can hold: the step a written value is rounded to."""

from __future__ import annotations

from connectors.plant import Tag


def resolution(tag: Tag) -> float:
    """The smallest step a tag's register holds (an integer register with scale 10 holds tenths)."""
    if tag.value_type in ("float32", "float64", "string", "bool"):
        return 0.001
    return 1.0 / ((tag.modbus.scale if tag.modbus else 1) or 1)
