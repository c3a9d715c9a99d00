"""What a person filled into a form, checked field by field against the form and the plant.

Values come typed (the app's widgets) or as text (the CLI's ``NAME=VALUE``). Each bad field gets one line that
names it and says what it takes; nothing runs until every line is gone, and the values stay as they were typed.
A form's values are the person's own choices, so the procedure runs on them as given (no model, no guessing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from copilot.procedures.forms import Form, FormField
from copilot.procedures.spec import SlotKind
from tools.lines import shown

TEXT_CHARS = 120
DAY_CHARS = 40
MAX_CHANGES = 4
_YES = {"true", "yes", "y", "1", "on"}
_NO = {"false", "no", "n", "0", "off"}


class FieldProblem(ValueError):
    """Why one field's value cannot be taken, in words (the field's label is put before it)."""


@dataclass(frozen=True)
class FormInput:
    """A form's values checked: the slots to run with, and one line per bad field (none: it may run)."""

    form: Form
    slots: dict[str, Any]
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def request(self) -> str:
        """The run's request in words, as the conversation, the audit log and a change's reason show it."""
        machine = next((self.slots.get(f.name) for f in self.form.fields if f.kind is SlotKind.machine), None)
        said = [f"{f.label} {_said(f, self.slots[f.name], self.form, machine)}" for f in self.form.fields
                if f.name in self.slots]
        return f"{self.form.title} (form)" + (f": {', '.join(said)}" if said else "")


@dataclass
class _Reading:
    form: Form
    values: Mapping[str, Any]
    slots: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and not value) or \
        (isinstance(value, str) and not value.strip())


def read_form(form: Form, values: Mapping[str, Any]) -> FormInput:
    """The form's values checked; a name the form has no field of is one problem line too."""
    reading = _Reading(form, values)
    strangers = [name for name in values if form.field(name) is None]
    if strangers:
        reading.problems.append(f"{strangers[0]}: no such field; the fields are "
                                f"{', '.join(f.name for f in form.fields) or 'none'}")
    for item in form.fields:
        value = values.get(item.name)
        if _empty(value):
            if item.required:
                reading.problems.append(f"{item.label}: required — {item.help or 'fill it in'}")
            continue
        try:
            reading.slots[item.name] = _read(item, value, reading)
        except FieldProblem as why:
            reading.problems.append(f"{item.label}: {why}")
    return FormInput(form, reading.slots, tuple(reading.problems))


def _read(item: FormField, value: Any, reading: _Reading) -> Any:
    readers: dict[SlotKind, Callable[[Any], Any]] = {
        SlotKind.integer: lambda v: _whole(v, signed=False),
        SlotKind.total: lambda v: _whole(v, signed=False),
        SlotKind.more: lambda v: _whole(v, signed=True),
        SlotKind.number: _number,
        SlotKind.flag: _flag,
        SlotKind.purchase: _flag,
        SlotKind.text: lambda v: _text(v, TEXT_CHARS),
        SlotKind.day: lambda v: _text(v, DAY_CHARS),
        SlotKind.setpoint_changes: lambda v: _changes(v, reading),
    }
    if item.kind in readers:
        return readers[item.kind](value)
    if item.multiple:
        listed = value.split(",") if isinstance(value, str) else list(value)
        return [_chosen(item, v, reading) for v in listed if not _empty(v)]
    return _chosen(item, value, reading)


def _chosen(item: FormField, value: Any, reading: _Reading) -> str:
    """A value of the field's choices (for a setpoint: of the machine chosen, when one is)."""
    text = str(value).strip()
    machine = _machine(reading)
    if item.kind is SlotKind.setpoint and machine is not None and reading.form.setpoint(machine, text) is None:
        names = ", ".join(s.tag for s in reading.form.setpoints.get(machine, ())) or "none"
        raise FieldProblem(f"{machine} has no setpoint {text!r}; its setpoints are {names}")
    if item.kind is SlotKind.tag and machine is not None and text not in reading.form.tags.get(machine, ()):
        raise FieldProblem(f"{machine} has no tag {text!r}; its tags are {', '.join(reading.form.tags[machine])}")
    choice = item.choice(text)
    if choice is None:
        values = [c.value for c in item.choices]
        more = f" and {len(values) - 12} more" if len(values) > 12 else ""
        raise FieldProblem(f"the plant has no {text!r}; choose one of {', '.join(values[:12]) or 'none'}{more}")
    return choice.value


def _machine(reading: _Reading) -> str | None:
    """The machine the form's machine field holds, when it holds one of the plant's."""
    for item in reading.form.fields:
        if item.kind is SlotKind.machine:
            value = reading.values.get(item.name)
            choice = item.choice(str(value)) if not _empty(value) else None
            return choice.value if choice else None
    return None


def _whole(value: Any, *, signed: bool) -> int:
    text = str(value).strip()
    try:
        number = int(text) if not isinstance(value, float) or value.is_integer() else None
    except ValueError:
        number = None
    if isinstance(value, bool) or number is None or (not signed and number < 0):
        raise FieldProblem(f"a whole number{'' if signed else ' of 0 or more'} is needed, not {text!r}")
    return number


def _number(value: Any) -> float:
    try:
        number = float(str(value).strip().replace(",", ".")) if not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise FieldProblem(f"a number is needed, not {str(value).strip()!r}")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _YES | _NO:
        return text in _YES
    raise FieldProblem(f"yes or no is needed, not {str(value).strip()!r}")


def _text(value: Any, limit: int) -> str:
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise FieldProblem(f"at most {limit} characters are taken; this has {len(text)}")
    return text


def _changes(value: Any, reading: _Reading) -> list[dict[str, Any]]:
    """Setpoint changes, each ``{tag, to}`` (or ``tag=value`` text, several joined by commas), within the limits of
    the machine's setpoint."""
    machine = _machine(reading)
    if machine is None:
        raise FieldProblem("choose the machine first: its setpoints are the ones that may change")
    listed = value if isinstance(value, list | tuple) else [value]
    pairs: list[tuple[Any, Any]] = []
    for change in listed:
        if isinstance(change, Mapping):
            pairs.append((change.get("tag"), change.get("to")))
        else:
            pairs += [tuple(part.split("=", 1)) if "=" in part else (part, None) for part in str(change).split(",")]
    if len(pairs) > MAX_CHANGES:
        raise FieldProblem(f"at most {MAX_CHANGES} setpoints change at once")
    return [_change(machine, str(tag or "").strip(), to, reading) for tag, to in pairs]


def _change(machine: str, tag: str, to: Any, reading: _Reading) -> dict[str, Any]:
    point = reading.form.setpoint(machine, tag)
    if point is None:
        names = ", ".join(s.tag for s in reading.form.setpoints.get(machine, ())) or "none"
        raise FieldProblem(f"{machine} has no setpoint {tag!r}; its setpoints are {names}")
    if _empty(to):
        raise FieldProblem(f"the new value of {machine} {point.words} is missing ({point.limits})")
    try:
        value = _number(to)
    except FieldProblem:
        raise FieldProblem(f"{machine} {point.words} takes a number, not {str(to).strip()!r}") from None
    if (point.low is not None and value < point.low) or (point.high is not None and value > point.high):
        raise FieldProblem(f"{machine} {point.words} {shown(value, point.unit)} is outside its limits: "
                           f"it may be set from {point.limits}")
    return {"tag": point.tag, "to": value, "by": None, "percent": None}


def _said(item: FormField, value: Any, form: Form, machine: str | None) -> str:
    """A checked value as the request says it."""
    if item.kind is SlotKind.setpoint_changes:
        return " and ".join(f"{c['tag']} to {shown(c['to'], _unit(form, machine, c['tag']))}" for c in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return shown(value) if isinstance(value, bool) else str(value)


def _unit(form: Form, machine: str | None, tag: str) -> str:
    point = form.setpoint(machine, tag)
    return point.unit if point else ""
