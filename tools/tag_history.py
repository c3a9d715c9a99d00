"""tag_history: how one tag moved over the last minutes, from the plant historian."""

from __future__ import annotations

from pydantic import BaseModel, Field

from policies.model import Risk
from tools.base import Call, ToolArgs, tool
from tools.deps import Deps, System
from tools.lines import shown

_POINTS = 12


class TagHistoryArgs(ToolArgs):
    """The machine's tag whose trend to read, and how far back."""

    machine_id: str = Field(description="machine id, e.g. P-101")
    tag: str = Field(description="tag name, e.g. vibration")
    minutes: float = Field(default=30, gt=0, le=24 * 60, description="how far back to look")


class Trend(BaseModel):
    """A tag's trend over the last ``minutes``: first, last, min, max, mean, slope and thinned points."""

    machine_id: str
    tag: str
    unit: str
    words: str = ""  # how people call the tag (Tag.words)
    minutes: float
    samples: int
    first: float | None = None
    last: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    change_per_hour: float | None = Field(default=None, description="least-squares slope")
    points: list[tuple[float, float]] = Field(default=[], description="(minutes ago, value), evenly thinned")

    def line(self) -> str:
        where = f"{self.machine_id} {self.tag}"
        if not self.samples:
            return f"{where}: no history in the last {self.minutes:g} min"
        return (f"{where} over {self.minutes:g} min: {self.first:g} → {self.last:g} {self.unit}, min {self.minimum:g}, "
                f"max {self.maximum:g}, {self.change_per_hour:+g} {self.unit}/h").replace("  ", " ")

    def said(self) -> str:
        """As a person reads it: the tag by its words, values rounded with the unit's symbol."""
        where = f"{self.machine_id} {self.words or self.tag}"
        if not self.samples:
            return f"{where}: no history in the last {self.minutes:g} min"
        slope = shown(self.change_per_hour, f"{self.unit}/h" if self.unit else "per hour")
        return (f"{where} over the last {self.minutes:g} min: {shown(self.first, self.unit)} → "
                f"{shown(self.last, self.unit)} (lowest {shown(self.minimum, self.unit)}, highest "
                f"{shown(self.maximum, self.unit)}; {'+' if (self.change_per_hour or 0) > 0 else ''}{slope})")


def summarise(machine_id: str, tag: str, unit: str, minutes: float, samples: list[tuple[float, float]],
              words: str = "") -> Trend:
    """The Trend of ``samples`` ((seconds, value), oldest first); with no samples, only their count (0)."""
    trend = Trend(machine_id=machine_id, tag=tag, unit=unit, words=words, minutes=minutes, samples=len(samples))
    if not samples:
        return trend
    times = [t for t, _ in samples]
    values = [v for _, v in samples]
    n = len(values)
    mean_t, mean_v = sum(times) / n, sum(values) / n
    spread = sum((t - mean_t) ** 2 for t in times)
    slope = sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread if spread else 0.0
    stride = max(1, n // _POINTS)
    now = times[-1]
    return trend.model_copy(
        update=dict(
            first=round(values[0], 3),
            last=round(values[-1], 3),
            minimum=round(min(values), 3),
            maximum=round(max(values), 3),
            mean=round(mean_v, 3),
            change_per_hour=round(slope * 3600, 3),
            points=[(round((now - t) / 60, 1), round(v, 3)) for t, v in samples[::stride]],
        )
    )


@tool(args=TagHistoryArgs, risk=Risk.read, result=Trend, line=Trend.line, said=Trend.said, order=20,
      systems=(System.mes,))
async def tag_history(deps: Deps, args: TagHistoryArgs, call: Call) -> Trend:
    """Trend of one tag over the last minutes from the historian: first, last, min, max, mean, change per hour
    and a few points. Use it to see whether a value (vibration, temperature, defect rate) is rising."""
    tag = deps.plant.tag(args.machine_id, args.tag)
    samples = await deps.history.samples(tag.machine_id, tag.name, args.minutes)
    return summarise(tag.machine_id, tag.name, tag.unit, args.minutes, samples, tag.words)
