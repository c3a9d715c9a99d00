"""A procedure as a form: its typed slots as fields, with the loaded plant's own values as the choices.

The app and the CLI offer every procedure this way, so each runs without a model: a field that names a plant
thing (a machine, a part, a setpoint, an order) lists what the plant has, the way the model's choice is an enum
of them (copilot/procedures/slots.py); a setpoint shows its unit and write limits. What a person fills in is
checked by copilot/procedures/form_input.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.plant import Plant, Tag
from copilot.procedures.decisions import PREFERENCES, PRIORITIES
from copilot.procedures.spec import Procedure, Procedures, SlotKind
from tools.lines import shown, symbol

MULTIPLE = frozenset({SlotKind.options, SlotKind.without})
"""The kinds whose field takes several of its choices."""

FREE = frozenset({SlotKind.integer, SlotKind.number, SlotKind.total, SlotKind.more, SlotKind.text, SlotKind.flag,
                  SlotKind.purchase,
                  SlotKind.day, SlotKind.setpoint_changes})
"""The kinds whose field is typed in, not chosen from a list (a setpoint change picks its setpoint by machine)."""


@dataclass(frozen=True)
class Choice:
    """One value a field offers, and how a person reads it."""

    value: str
    label: str


@dataclass(frozen=True)
class Setpoint:
    """A setpoint a form offers for its machine: the tag, how people call it, its unit and write limits."""

    machine: str
    tag: str
    words: str
    unit: str
    low: float | None
    high: float | None
    max_step: float | None

    @classmethod
    def of(cls, tag: Tag) -> Setpoint:
        return cls(tag.machine_id, tag.name, tag.words, tag.unit, tag.min, tag.max, tag.max_step)

    @property
    def limits(self) -> str:
        """Its write limits as a person reads them ("180 to 260 °C, up to 10 °C a change"); empty when it has none."""
        if self.low is None or self.high is None:
            return ""
        step = f", up to {shown(self.max_step, self.unit)} a change" if self.max_step else ""
        return f"{shown(self.low)} to {shown(self.high, self.unit)}{step}"

    @property
    def symbol(self) -> str:
        """Its unit as people write it (°C for degC)."""
        return symbol(self.unit)

    @property
    def label(self) -> str:
        return f"{self.words} ({self.symbol})" if self.unit else self.words


@dataclass(frozen=True)
class FormField:
    """One field of a form: the slot it fills, its kind, how it is labelled and asked, its choices."""

    name: str
    kind: SlotKind
    label: str
    required: bool
    help: str
    choices: tuple[Choice, ...] = ()

    @property
    def multiple(self) -> bool:
        return self.kind in MULTIPLE

    @property
    def chosen(self) -> bool:
        """Whether its value is one of its choices (or, for a setpoint or tag, of the machine's)."""
        return self.kind not in FREE

    def choice(self, value: str) -> Choice | None:
        """The choice ``value`` names (its value, in any case), or None."""
        wanted = value.strip().casefold()
        return next((c for c in self.choices if c.value.casefold() == wanted), None)


@dataclass(frozen=True)
class Form:
    """A procedure as a form: its fields in the procedures file's order, and each machine's setpoints and tags."""

    procedure: str
    title: str
    description: str
    fields: tuple[FormField, ...]
    setpoints: dict[str, tuple[Setpoint, ...]]  # machine id -> its setpoints, for setpoint and change fields
    changes: bool  # whether the procedure changes something (its changes go through the gate)
    tags: dict[str, tuple[str, ...]]  # machine id -> its tags, for tag fields

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    def setpoint(self, machine: str | None, tag: str) -> Setpoint | None:
        """The setpoint ``tag`` of ``machine`` (of any machine when None), or None when it has none of that name."""
        found = [s for m, points in self.setpoints.items() if machine in (None, m) for s in points if s.tag == tag]
        return found[0] if found else None


def _choices(kind: SlotKind, plant: Plant) -> tuple[Choice, ...]:
    """The plant's own values for a field of ``kind``, labelled as people read them."""
    machines = list(plant.machines.values())
    variants = [v for p in plant.products for v in p.variants]
    listed: dict[SlotKind, list[tuple[str, str]]] = {
        SlotKind.machine: [(m.id, f"{m.id} — {m.name}") for m in machines],
        SlotKind.line: [(line.id, f"{line.id} — {line.name}") for line in plant.lines],
        SlotKind.setpoint: [(t.name, t.words) for m in machines for t in m.setpoints],
        SlotKind.tag: [(name, tag.words) for m in machines for name, tag in m.tags.items()],
        SlotKind.part: [(p.id, f"{p.id} — {p.name}") for p in plant.parts],
        SlotKind.supplier: [(s.id, f"{s.id} — {s.name}") for s in plant.suppliers],
        SlotKind.preference: [(p, p.replace("_", " ")) for p in PREFERENCES],
        SlotKind.priority: [(p, p) for p in PRIORITIES],
        SlotKind.production_order: [(o.id, f"{o.id} — {o.product} {o.variant}, {o.produced}/{o.quantity}, "
                                           f"{o.status.replace('_', ' ')}") for o in plant.production_orders],
        SlotKind.product: [(p.id, f"{p.id} — {p.name}") for p in plant.products],
        SlotKind.variant: [(v.id, f"{v.id} — {v.colour}" + (f", {', '.join(v.options)}" if v.options else ""))
                           for v in variants],
        SlotKind.colour: [(c, c) for c in plant.colours],
        SlotKind.options: [(o, plant.option_name(o)) for o in plant.options],
        SlotKind.command: [("start", "start"), ("stop", "stop")],
    }
    listed[SlotKind.without] = listed[SlotKind.options]
    pairs = dict(listed.get(kind, []))  # one choice per value, in the plant file's order
    return tuple(Choice(value, label) for value, label in pairs.items())


def form_of(procedure: Procedure, plant: Plant) -> Form:
    """The form of one procedure on this plant."""
    fields = tuple(FormField(name=name, kind=slot.kind, label=name.replace("_", " "),
                             required=slot.required, help=slot.description or slot.ask,
                             choices=_choices(slot.kind, plant))
                   for name, slot in procedure.slots.items())
    setpoints = {m.id: tuple(Setpoint.of(t) for t in m.setpoints) for m in plant.machines.values() if m.setpoints}
    return Form(procedure=procedure.name, title=procedure.name.replace("_", " ").capitalize(),
                description=procedure.description, fields=fields, setpoints=setpoints, changes=bool(procedure.changes),
                tags={m.id: tuple(m.tags) for m in plant.machines.values()})


def forms_of(procedures: Procedures, plant: Plant) -> list[Form]:
    """Every procedure's form on this plant, in the procedures file's order."""
    return [form_of(p, plant) for p in procedures.procedures]
