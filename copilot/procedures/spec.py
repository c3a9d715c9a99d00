"""The procedures file: the plant's workflows as data an engineer edits, checked when the copilot starts.

A procedure has a name, a description and example requests (what the model reads
to choose it), typed slots (what the model fills from the request) and steps:
reads and changes (tool calls through the gate) and decisions (named functions of
copilot/procedures/decisions.py). A step's arguments are literals or references
(``$name`` or ``$name.field``) to a slot, an earlier step's result or a decision.
A mistake in the file is refused with the procedure and the field it is in.
"""

from __future__ import annotations

import inspect
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from connectors.site import config_data
from copilot.procedures.decisions import DECISIONS
from policies.model import Risk
from tools.base import Tool


class ProcedureError(ValueError):
    """The procedures file cannot be read or names something that does not exist; the message says where."""


class SlotKind(StrEnum):
    """What a slot holds; the kinds that name plant things take their allowed values from the plant file."""

    machine = "machine"
    line = "line"
    setpoint = "setpoint"  # a writable setpoint tag (run commands are the start/stop procedure's)
    tag = "tag"
    part = "part"
    supplier = "supplier"
    preference = "preference"  # price | lead_time | carbon
    priority = "priority"
    production_order = "production_order"
    product = "product"
    variant = "variant"
    colour = "colour"
    options = "options"
    without = "without"  # options taken off ("drop the tamper-evident cap")
    setpoint_changes = "setpoint_changes"  # one or several {tag, to | by | percent}
    command = "command"  # start | stop
    integer = "integer"
    number = "number"
    total = "total"  # a count's new total ("make it 1000"); its procedure's ``more`` slot holds a change instead
    more = "more"  # how many more than now, negative for fewer ("300 more", "200 fewer")
    text = "text"
    flag = "flag"
    purchase = "purchase"  # a flag that holds only where the request says to buy (read by code, in its language)
    day = "day"  # a day as the request names it ("Friday", "2026-12-11", "in 5 days"); code finds the date


class StepKind(StrEnum):
    """What a procedure step does: read with a tool, decide in code, or change with a tool."""

    read = "read"
    decide = "decide"
    change = "change"


REFERENCE = re.compile(r"^\$([a-z_][a-z0-9_]*)((?:\.[a-z_][a-z0-9_]*)*)$")
_NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Slot(_Strict):
    """A value a procedure takes from the request: its kind, whether it is required, and the question
    asked back when it is missing."""

    kind: SlotKind
    required: bool = False
    description: str = ""
    ask: str = Field(default="", description="the question asked back when a required slot is missing")


class Example(_Strict):
    """A request the procedure serves and the slots it fills: shown to the model, checked at start."""

    request: str = Field(min_length=2)
    lang: str = "en"
    slots: dict[str, Any] = {}


class ProcedureStep(_Strict):
    """One step: exactly one of read / change (a tool) or decide (a decision), with its arguments."""

    read: str | None = None
    change: str | None = None
    decide: str | None = None
    args: dict[str, Any] = {}
    each: str | None = Field(default=None, description="a reference to a list: one call per item, as $item")
    when: str | list[str] | None = Field(default=None, description="a reference, or a list of them: the step runs "
                                         "only when every one is set")
    unless: str | None = Field(default=None, description="a reference: the step is skipped when it is set")
    into: str | None = Field(default=None, pattern=_NAME, description="the name its result is kept under")

    _tool: Tool | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_kind(self) -> ProcedureStep:
        given = [k for k in (self.read, self.change, self.decide) if k is not None]
        if len(given) != 1:
            raise ValueError("a step is exactly one of read: TOOL, change: TOOL or decide: DECISION")
        for field in ("each", "when", "unless"):
            for value in _listed(getattr(self, field)):
                if not REFERENCE.match(value):
                    raise ValueError(f"{field} must be a reference like $name, not {value!r}")
        return self

    @property
    def required(self) -> list[str]:
        """The references that must all be set for the step to run (its ``when``)."""
        return _listed(self.when)

    @property
    def kind(self) -> StepKind:
        return StepKind.read if self.read else StepKind.change if self.change else StepKind.decide

    @property
    def target(self) -> str:
        return self.read or self.change or self.decide or ""

    @property
    def tool(self) -> Tool:
        """The tool a read or change calls, bound when the procedures were loaded against the tools."""
        if self._tool is None:
            raise LookupError(f"step {self.target!r} calls no tool, or its procedures were not loaded with tools")
        return self._tool


class Procedure(_Strict):
    """One procedure of the procedures file: description, examples, slots and steps."""

    name: str = Field(pattern=_NAME)
    description: str = Field(min_length=10)
    examples: list[Example] = Field(min_length=1)
    slots: dict[str, Slot] = {}
    steps: list[ProcedureStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _examples_fill_slots(self) -> Procedure:
        for example in self.examples:
            unknown = [name for name in example.slots if name not in self.slots]
            if unknown:
                raise ValueError(f"example {example.request!r} fills {', '.join(unknown)}, which is no slot of it")
        return self

    @property
    def changes(self) -> set[str]:
        return {s.change for s in self.steps if s.change}

    def slot_of(self, kind: SlotKind) -> str | None:
        """The name of the procedure's first slot of that kind; None when it has none."""
        return next((name for name, slot in self.slots.items() if slot.kind is kind), None)


class Procedures(_Strict):
    """The procedures file: every procedure, checked against the tools and the decisions."""

    procedures: list[Procedure] = Field(min_length=1)
    written_for: str | None = None
    """The shipped plant (``plants/<name>``) the examples name things of; unset, the plant loaded."""

    def get(self, name: str) -> Procedure | None:
        return next((p for p in self.procedures if p.name == name), None)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.procedures]

    @classmethod
    def load(cls, path: str | Path, tools: dict[str, Tool]) -> Procedures:
        """Read and check the procedures file against the tools and the decisions."""
        path = Path(path)
        return cls.from_data(config_data(path, "procedures file", ProcedureError), tools, source=str(path))

    @classmethod
    def from_data(cls, data: Any, tools: dict[str, Tool], source: str = "procedures") -> Procedures:
        if not isinstance(data, dict):
            raise ProcedureError(f"{source}: expected a mapping with a 'procedures' list")
        try:
            procedures = cls.model_validate(data)
        except ValidationError as exc:
            raise ProcedureError(f"{source}: " + "; ".join(_describe(e, data) for e in exc.errors())) from None
        problems = [p for proc in procedures.procedures for p in _problems(proc, tools)]
        names = procedures.names
        problems += [f"procedure {n!r} is defined twice" for n in sorted({n for n in names if names.count(n) > 1})]
        problems += [f"procedure {n!r} has the name of a tool" for n in names if n in tools]
        if problems:
            raise ProcedureError(f"{source}: " + "; ".join(problems))
        for step in (s for proc in procedures.procedures for s in proc.steps if s.kind is not StepKind.decide):
            step._tool = tools[step.target]
        return procedures


def _problems(proc: Procedure, tools: dict[str, Tool]) -> list[str]:
    """What in one procedure names a tool, decision or value that does not exist, or uses a tool wrongly."""
    out: list[str] = []
    known = set(proc.slots) | {"item", "request", "lang"}
    for index, step in enumerate(proc.steps):
        where = f"procedure {proc.name!r}, steps[{index}] ({step.kind} {step.target})"
        if step.kind is StepKind.decide:
            decision = DECISIONS.get(step.target)
            if decision is None:
                out.append(f"{where}: unknown decision; decisions are: {', '.join(sorted(DECISIONS))}")
            else:
                params = set(inspect.signature(decision).parameters) - {"plant"}
                out += [f"{where}: the decision has no input {a!r}; its inputs are: {', '.join(sorted(params))}"
                        for a in step.args if a not in params]
        else:
            tool = tools.get(step.target)
            if tool is None:
                out.append(f"{where}: unknown tool; tools are: {', '.join(tools)}")
            else:
                is_read = tool.risk == Risk.read
                if is_read != (step.kind is StepKind.read):
                    out.append(f"{where}: {tool.name} is a {'read' if is_read else 'change'}; "
                               f"write it as {'read' if is_read else 'change'}: {tool.name}")
                fields = set(tool.args.model_fields)
                out += [f"{where}: {tool.name} has no argument {a!r}; it takes: {', '.join(sorted(fields))}"
                        for a in step.args if a not in fields]
        for ref in _references(step):
            if ref not in known:
                out.append(f"{where}: ${ref} is neither a slot nor the result of an earlier step")
        if step.into:
            known.add(step.into)
    return out


def _listed(value: str | list[str] | None) -> list[str]:
    """A step's condition field as a list of its references."""
    return [] if value is None else [value] if isinstance(value, str) else value


def _references(step: ProcedureStep) -> list[str]:
    found = [*_listed(step.each), *_listed(step.when), *_listed(step.unless)]
    stack: list[Any] = list(step.args.values())
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += value.values()
        elif isinstance(value, list):
            stack += value
        elif isinstance(value, str) and value.startswith("$"):
            found.append(value)
    out = []
    for ref in found:
        match = REFERENCE.match(ref)
        out.append(match.group(1) if match else ref)
    return out


def _describe(error: Any, data: dict) -> str:
    loc = list(error["loc"])
    where = ".".join(str(p) for p in loc) or "the file"
    if len(loc) >= 2 and loc[0] == "procedures" and isinstance(loc[1], int):
        raw = (data.get("procedures") or [None] * (loc[1] + 1))[loc[1]]
        name = raw.get("name") if isinstance(raw, dict) else None
        where = f"procedure {name!r} (procedures[{loc[1]}])" if name else f"procedures[{loc[1]}]"
        if field := ".".join(str(p) for p in loc[2:]):
            where += f", field {field}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (a typo?)"
    return f"{where}: {message}"
