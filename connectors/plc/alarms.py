"""An alarm condition as a PLC's server keeps it (OPC UA Alarms & Conditions), whichever protocol carries it.

A PLC whose protocol has no alarm conditions (Modbus, Sparkplug B) answers None for its machines' conditions,
and its alarms are read from its tags as before.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AlarmCondition(BaseModel):
    """One alarm condition of a machine as its server last reported it: which, how severe, its states and times.

    ``condition_id`` names it to the server; ``event_id`` is its last event's, which an acknowledgement names."""

    condition_id: str
    machine_id: str
    condition: str = Field(description="the condition's name, e.g. vibration_high")
    severity: int = Field(ge=0, le=1000, description="OPC UA severity, 1 (lowest) to 1000")
    message: str
    active: bool
    acked: bool
    confirmed: bool = True
    shelved: bool = False
    time: datetime = Field(description="when its last event happened")
    active_since: datetime | None = Field(default=None, description="when it last became active or cleared")
    shelved_for_s: float | None = Field(default=None, description="seconds left of its shelving")
    event_id: str = Field(description="its last event's EventId, hex")

    def state(self) -> str:
        """Its states in words: "active, unacknowledged", "cleared, unacknowledged", "active, shelved"..."""
        words = ["active" if self.active else "cleared", "acknowledged" if self.acked else "unacknowledged"]
        if self.shelved:
            words.append("shelved" if self.shelved_for_s is None else f"shelved for {self.shelved_for_s:.0f} s")
        return ", ".join(words)

    def line(self) -> str:
        """The condition as one line: machine, message, severity and state."""
        return f"{self.machine_id}: {self.message} (severity {self.severity}, {self.state()})"
