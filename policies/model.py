"""What the policy engine judges and what it answers: an action in its context, and a decision."""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Risk(StrEnum):
    """A tool's risk class: it only reads, writes, or is critical (then two different people must approve)."""

    read = "read"
    write = "write"
    critical = "critical"


class Role(StrEnum):
    """A person's role at the plant, which decides what they may approve (a planner: the production orders)."""

    operator = "operator"
    supervisor = "supervisor"
    engineer = "engineer"
    admin = "admin"
    planner = "planner"


def _number(value: float | str | None) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class PredictedAlarm(BaseModel):
    """A reading the twin predicts past its alarm limit after the change, and when."""

    reading: str
    limit: Literal["high", "low"]
    value: float  # the alarm limit
    unit: str = ""
    minute: float  # minutes after the change
    already: bool = False  # past the limit before the change: not the change's doing

    @property
    def line(self) -> str:
        side = "above" if self.limit == "high" else "below"
        limit = f"its alarm limit {self.value:g} {self.unit}".rstrip()
        return f"{self.reading} already {side} {limit}" if self.already else \
            f"{self.reading} {side} {limit} at minute {self.minute:g}"


class Prediction(BaseModel):
    """What the plant's twin (twin/) predicts a setpoint change, start or stop will do: judged by rules, shown
    on the approval card and in the chat. Not bound to the approval: it moves with the live readings."""

    modelled: bool
    why: str = ""  # when not modelled: why not
    settle_minutes: float | None = None  # when the last affected reading settles; None: not within the horizon
    minutes: float = 30.0  # the horizon
    alarms: list[PredictedAlarm] = []
    courses: dict[str, list[tuple[float, float]]] = {}  # reading -> (minute, predicted value)
    units: dict[str, str] = {}
    run: dict[str, Any] = {}  # the twin's own record of the dry run (its models), to measure it against afterwards

    @property
    def line(self) -> str:
        """One line for the chat and the queue: where the readings go, when they settle, any alarm."""
        if not self.modelled:
            return f"twin: no prediction ({self.why})"
        ends = ", ".join(f"{r} → {c[-1][1]:.4g} {self.units.get(r, '')}".rstrip() for r, c in self.courses.items() if c)
        settle = f"settles in {self.settle_minutes:.0f} min" if self.settle_minutes is not None else \
            f"not settled within {self.minutes:g} min"
        alarms = "; ".join(a.line for a in self.alarms) or "no alarm predicted"
        return f"twin: {ends or 'no reading follows it'}; {settle}; {alarms}"


class Normal(BaseModel):
    """The value a tag was at before the first of its changes that ran within the window (its approved normal),
    and the twin's dry run of the whole change from there to the value proposed now."""

    value: float
    changes: int  # the changes that ran on the tag within the window
    hours: float  # the window
    prediction: Prediction

    @property
    def line(self) -> str:
        return f"the whole change from its normal {self.value:g} ({self.changes} change(s) ran within {self.hours:g} h)"


class SetpointWrite(BaseModel):
    """One setpoint of a change of several approved as one (a recipe): the facts its write is checked on, as a
    single write's (the tag's limits and maximum step, the value it replaces, the twin's dry run)."""

    machine_id: str
    tag: str
    tag_writable: bool | None = None
    run_command: bool = False
    tag_min: float | None = None
    tag_max: float | None = None
    tag_max_step: float | None = None
    unit: str | None = None
    old_value: float | None = None
    new_value: float | None = None
    prediction: Prediction | None = None


class ActionFacts(BaseModel):
    """What a proposed action would touch and change, gathered by its tool before the policy decides.

    Numbers may be NaN or infinite here on purpose: the engine denies such a write
    with a reason instead of the facts failing to build.
    """

    machine_id: str | None = None
    line_id: str | None = None
    machine_state: str | None = None  # running | stopped | faulted, read live
    tag: str | None = None
    tag_writable: bool | None = None
    run_command: bool = False  # the tag is the machine's run command: the write starts or stops it
    tag_min: float | None = None  # the plant file's limits, narrowed to the range the PLC's server declares
    tag_max: float | None = None
    tag_max_step: float | None = None
    unit: str | None = None  # the tag's engineering unit, for reasons people read ("3500 rpm")
    old_value: float | str | None = None
    new_value: float | str | None = None  # a number for writes; a name for e.g. a production order's variant
    amount: float | None = None  # money, e.g. a purchase order's total
    quantity: float | None = None
    change: str = ""  # one line a supervisor reads: "P-101 speed_setpoint 2400 → 2600 rpm"
    extra: dict[str, Any] = {}  # other facts a tool gathered, for rule conditions (e.g. order_status)
    prediction: Prediction | None = None  # the twin's dry run of a setpoint change, start or stop
    normal: Normal | None = None  # when the tag changed within the window: the whole change from its normal
    writes: list[SetpointWrite] = []  # several setpoints changed as one action: each is checked as its own write


class ActionContext(ActionFacts):
    """A proposed tool call with its facts: who asks, which tool with which arguments, what it touches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool: str = Field(min_length=1)
    risk: Risk
    arguments: dict[str, Any] = {}
    requester: str = Field(min_length=1)
    role: Role
    procedure: str | None = None  # the procedure whose step proposes the action, if one does

    @property
    def old_number(self) -> float | None:
        return _number(self.old_value)

    @property
    def new_number(self) -> float | None:
        return _number(self.new_value)

    @property
    def is_plc_write(self) -> bool:
        return self.tag is not None and self.risk is not Risk.read

    @property
    def step(self) -> float | None:
        """How much the write changes the tag (absolute); None when the old or new value is unknown."""
        if self.old_number is None or self.new_number is None:
            return None
        return abs(self.new_number - self.old_number)

    @property
    def step_fraction_of_max_step(self) -> float | None:
        """The step as a fraction of the tag's maximum step per write (1.0 = the largest step allowed)."""
        if self.step is None or not self.tag_max_step:
            return None
        return self.step / self.tag_max_step

    @property
    def predictions(self) -> list[Prediction | None]:
        """The dry runs a rule on the prediction judges: the change's own, and the whole change from the tag's
        normal when it changed within the window, or each setpoint's of a change of several; None where a PLC write
        carries no dry run at all."""
        if self.writes:
            return [w.prediction for w in self.writes]
        if not self.is_plc_write and self.prediction is None:
            return []
        return [self.prediction, *([self.normal.prediction] if self.normal else [])]

    @property
    def predicted_alarm(self) -> bool | None:
        """Whether the twin predicts the change (or the whole change from the tag's normal) drives a reading past
        its alarm limit (one already past it before is not the change's doing); None when a dry run it needs
        could not be made: a ``predicted_alarm: true`` rule then holds (fails closed)."""
        runs = self.predictions
        if any(p is not None and p.modelled and any(not a.already for a in p.alarms) for p in runs):
            return True
        if not runs or any(p is None or not p.modelled for p in runs):
            return None
        return False

    def prediction_reasons(self) -> list[str]:
        """What the twin predicted, or why it could not, in words for the reasons of a rule on the prediction."""
        reasons = [f"predicted: {a.line}" for a in self.prediction.alarms if not a.already] \
            if self.prediction and self.prediction.modelled else []
        if self.normal and self.normal.prediction.modelled:
            reasons += [f"predicted for {self.normal.line}: {a.line}" for a in self.normal.prediction.alarms
                        if not a.already]
        reasons += [f"predicted for {w.machine_id} {w.tag}: {a.line}" for w in self.writes
                    if w.prediction and w.prediction.modelled for a in w.prediction.alarms if not a.already]
        if self.predicted_alarm is None and self.predictions:
            whys = [p.why if p is not None else "no dry run was made" for p in self.predictions
                    if p is None or not p.modelled]
            reasons.append("the twin could not predict this change (" + "; ".join(dict.fromkeys(whys)) +
                           "), so it is judged as if it would pass an alarm limit")
        return reasons

    @property
    def predicted_settle_minutes(self) -> float | None:
        """Minutes until the change settles; infinite when it does not within the horizon; None: no prediction."""
        if not (self.prediction and self.prediction.modelled):
            return None
        return self.prediction.settle_minutes if self.prediction.settle_minutes is not None else math.inf

    @property
    def step_fraction_of_range(self) -> float | None:
        """The step as a fraction of the tag's span max - min (0.1 = a tenth of the whole range)."""
        if self.step is None or self.tag_min is None or self.tag_max is None or not self.tag_max > self.tag_min:
            return None
        return self.step / (self.tag_max - self.tag_min)


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reasons: list[str] = []
    rule: str | None = Field(default=None, description="the policy rule, default or built-in guard that decided")
    owner: str | None = Field(default=None, description="who owns the rule, else the procedure, that decided")

    def _why(self) -> str:
        why = "; ".join(self.reasons) if self.reasons else "no reason given"
        return f"{why} (owner: {self.owner})" if self.owner else why


class Allow(_Decision):
    """The action may run without approval."""

    kind: Literal["allow"] = "allow"

    def summary(self) -> str:
        return f"allowed: {self._why()}"


class RequireApproval(_Decision):
    """The action runs once ``approvers`` different people in one of ``roles`` approve it."""

    kind: Literal["require_approval"] = "require_approval"
    roles: list[Role] = Field(min_length=1)
    approvers: int = Field(ge=1, le=5)

    def summary(self) -> str:
        who = " or ".join(self.roles)
        people = "1 approval" if self.approvers == 1 else f"{self.approvers} approvals by different people"
        return f"needs {people} ({who}): {self._why()}"


class Deny(_Decision):
    """The action may not run; ``reasons`` say why."""

    kind: Literal["deny"] = "deny"

    def summary(self) -> str:
        return f"denied: {self._why()}"


Decision = Annotated[Allow | RequireApproval | Deny, Field(discriminator="kind")]
