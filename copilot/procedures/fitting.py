"""The procedures fitted to the plant loaded: examples on its own things, only the procedures it can serve.

The product's examples name the things of the plant they were written for (the file's ``written_for``, the
demo's). On the plant loaded, an example that names only things it has is kept as written; one that names
things it lacks is re-bound, in its slots and in its request, to things of the same role here: a machine of
the same kind first (else one with the tags it needs), a setpoint or reading of the same name or unit, a part
of that machine's bill of materials, a supplier, line or order of this plant, the product in the same place of
its list (its colour in the same place of that product's colours; options it does not offer left out). An
English request that names its machine or product in words ("switch the pump back on", "600 housings") names
the stand-in by id instead; a line by number or name, by the stand-in's. An example that cannot be
re-bound is left out, and so is a procedure that lost most of its examples and whose slots name a kind of
thing the plant has none of.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from connectors.catalogue import Product
from connectors.plant import Machine, Plant, load_plant
from connectors.site import shipped_plant
from copilot.procedures.slots import choice_schema
from copilot.procedures.spec import Example, Procedure, Procedures, SlotKind
from copilot.understanding.machines import stem, stems

_IDS = {SlotKind.machine, SlotKind.line, SlotKind.part, SlotKind.supplier, SlotKind.production_order,
        SlotKind.product, SlotKind.variant, SlotKind.colour, SlotKind.options}
"""Kinds a request names as written (an id, a colour); a re-bound one is renamed in the request too."""
_TAGS = {SlotKind.setpoint, SlotKind.tag}


def plant_values(kind: SlotKind, plant: Plant) -> list[str]:
    """The names a slot of ``kind`` may take on this plant; empty for kinds that name no plant thing."""
    machines = list(plant.machines.values())
    values = {
        SlotKind.machine: [m.id for m in machines],
        SlotKind.line: [line.id for line in plant.lines],
        SlotKind.setpoint: [t.name for m in machines for t in m.setpoints],
        SlotKind.setpoint_changes: [t.name for m in machines for t in m.setpoints],
        SlotKind.tag: [t for m in machines for t in m.tags],
        SlotKind.part: [p.id for p in plant.parts],
        SlotKind.supplier: [s.id for s in plant.suppliers],
        SlotKind.production_order: [o.id for o in plant.production_orders],
        SlotKind.product: [p.id for p in plant.products],
        SlotKind.variant: [v.id for p in plant.products for v in p.variants],
        SlotKind.colour: plant.colours,
        SlotKind.options: plant.options,
    }
    return list(dict.fromkeys(values.get(kind, [])))


class _Unbound(LookupError):
    """The example names something this plant has no stand-in for."""


@dataclass
class _Rebinding:
    """Which of this plant's things stand in for the reference plant's: ``renamed`` for what a request names
    as written, ``retagged`` for tags (named in words)."""

    plant: Plant
    reference: Plant
    uses: Counter[str]
    """How often each of this plant's machines stood in already: the examples spread over the plant."""
    renamed: dict[str, str] = field(default_factory=dict)
    retagged: dict[str, str] = field(default_factory=dict)
    products: tuple[Product, Product] | None = None
    """The example's product and its stand-in here, once bound: its colours stand for theirs."""

    def machine(self, value: str, tags: set[str], setpoints: int) -> Machine:
        """The example's machine, else the one of the same kind, else one with its tags or enough setpoints."""
        if value in self.plant.machines:
            return self.plant.machines[value]
        source = self.reference.machines.get(value)
        units = {source.tags[t].unit for t in tags if t in source.tags} if source else set()

        def fit(m: Machine) -> tuple[bool, bool, int]:
            has = tags <= set(m.tags) or units <= {t.unit for t in m.tags.values()}
            return bool(source and m.kind == source.kind), has, self.uses[m.id]

        ranked = sorted((m for m in self.plant.machines.values() if len(m.setpoints) >= setpoints),
                        key=lambda m: (not fit(m)[0], not fit(m)[1], fit(m)[2]))
        if not ranked:
            raise _Unbound(value)
        self.renamed[value] = ranked[0].id
        self.uses[ranked[0].id] += 1
        return ranked[0]

    def tag(self, name: str, source_machine: str, machine: Machine, *, setpoint: bool) -> str:
        """The tag of the same name on the stand-in, else one of the same unit (an example's words and
        numbers are in that unit)."""
        if name in self.retagged:
            return self.retagged[name]
        choices = machine.setpoints if setpoint else list(machine.tags.values())
        if name in {t.name for t in choices}:
            return name
        source = self.reference.machines.get(source_machine)
        unit = source.tags[name].unit if source and name in source.tags else None
        alike = [t.name for t in choices if t.unit == unit]
        if not alike:
            raise _Unbound(name)
        self.retagged[name] = alike[0]
        return alike[0]

    def thing(self, kind: SlotKind, value: str, machine: Machine | None) -> str:
        if value in self.renamed:
            return self.renamed[value]
        if value in plant_values(kind, self.plant):
            return value
        if kind is SlotKind.colour and self.products:
            return self._colour(value, *self.products)
        bom = [b.part for b in machine.bom] if machine is not None and kind is SlotKind.part else []
        line = [machine.line_id] if machine is not None and kind is SlotKind.line else self._placed(kind, value)
        choices = [c for c in bom + line + plant_values(kind, self.plant) if c not in self.renamed.values()]
        if not choices:
            raise _Unbound(value)
        self.renamed[value] = choices[0]
        return choices[0]

    def product(self, value: str) -> Product:
        """The example's product, else the one in the same place of this plant's list."""
        own = {p.id: p for p in self.plant.products}
        ids = [p.id for p in self.reference.products]
        if value in own:
            return own[value]
        if value not in ids or not self.plant.products:
            raise _Unbound(value)
        target = self.plant.products[min(ids.index(value), len(self.plant.products) - 1)]
        self.renamed[value] = target.id
        self.products = (self.reference.products[ids.index(value)], target)
        return target

    def _colour(self, value: str, source: Product, target: Product) -> str:
        """The stand-in product's colour in the same place of its colours as ``value`` in the source's."""
        if not target.offered_colours:
            raise _Unbound(value)
        place = source.offered_colours.index(value) if value in source.offered_colours else 0
        self.renamed[value] = target.offered_colours[min(place, len(target.offered_colours) - 1)]
        return self.renamed[value]

    def _placed(self, kind: SlotKind, value: str) -> list[str]:
        """The line in the same place of this plant's list as the reference's line ``value`` (the second for
        the second), where it has one."""
        ids = [line.id for line in self.reference.lines]
        if kind is not SlotKind.line or value not in ids or ids.index(value) >= len(self.plant.lines):
            return []
        return [self.plant.lines[ids.index(value)].id]


def _rebound(kind: SlotKind, value: Any, binding: _Rebinding, machine: tuple[str, Machine] | None) -> Any:
    if value is None or (kind not in _IDS | _TAGS and kind is not SlotKind.setpoint_changes):
        return value
    if kind is SlotKind.options:
        return [binding.thing(kind, option, None) for option in value]
    if kind in _IDS:
        return binding.thing(kind, value, machine[1] if machine else None)
    if machine is None:
        raise _Unbound(str(value))
    source, target = machine
    if kind is SlotKind.setpoint_changes:
        return [{**change, "tag": change.get("tag") and binding.tag(change["tag"], source, target, setpoint=True)}
                for change in value]
    return binding.tag(value, source, target, setpoint=kind is SlotKind.setpoint)


def _tags_named(example: Example, procedure: Procedure) -> tuple[set[str], int]:
    """The tags an example's slots name, and how many setpoints it changes."""
    tags: set[str] = set()
    setpoints = 0
    for name, value in example.slots.items():
        kind = procedure.slots[name].kind
        if kind is SlotKind.setpoint_changes and value:
            tags |= {c["tag"] for c in value if c.get("tag")}
            setpoints += len(value)
        elif kind in _TAGS and value:
            tags.add(value)
            setpoints += kind is SlotKind.setpoint
    return tags, setpoints


def _renamed_request(example: Example, binding: _Rebinding) -> str:
    """The request with each stand-in written where the reference's thing was, by id or (English) in words."""
    request, reference = example.request, binding.reference
    for old, new in binding.renamed.items():
        pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])", re.IGNORECASE)
        if pattern.search(request):
            request = pattern.sub(new, request)
            continue
        if any(line.id == old for line in reference.lines):
            request = _line_renamed(request, old, new, binding)
            continue
        if binding.products and old == binding.products[0].id and example.lang == "en":
            request = _product_renamed(request, binding.products[0], new)
            continue
        source = reference.machines.get(old)
        words = [w for w in re.findall(r"[a-z]+", source.name.lower()) if len(w) > 3] if source else []
        worded = re.compile(rf"\bthe (?:\w+ )?(?:{'|'.join(words)})\b", re.IGNORECASE) if words else None
        if example.lang != "en" or worded is None or not worded.search(request):
            raise _Unbound(old)
        request = worded.sub(new, request, count=1)
    return request


def _line_renamed(request: str, old: str, new: str, binding: _Rebinding) -> str:
    """The request with a line it names by number ("line 2") or by its name ("the moulding line") named as the
    stand-in: "line D1", "the dyeing line"."""
    number = re.sub(r"\D", "", old)
    by_number = re.compile(rf"\bline\s*{number}(?!\d)", re.IGNORECASE)
    if number and by_number.search(request):
        return by_number.sub(f"line {new}", request)
    source = next(line for line in binding.reference.lines if line.id == old)
    target = next(line for line in binding.plant.lines if line.id == new)
    words = [re.escape(w) for w in re.findall(r"[a-z]+", source.name.lower()) if w != "line" and len(w) > 2]
    by_name = re.compile(rf"\bthe (?:{'|'.join(words)})(?: \w+)* line\b", re.IGNORECASE) if words else None
    if by_name is None or not by_name.search(request):
        raise _Unbound(old)
    name = target.name.lower()
    return by_name.sub(f"the {name if name.endswith(' line') else name + ' line'}", request, count=1)


def _product_renamed(request: str, source: Product, new: str) -> str:
    """The request with the words that name the source product ("pump housings") written as the stand-in's id."""
    named = stems(source.name)
    words = list(re.finditer(r"[A-Za-z]+", request))
    hits = [m for m in words if stem(m.group()) in named]
    if not hits:
        raise _Unbound(source.id)
    run = [hits[0]]
    for m in words[words.index(hits[0]) + 1:]:
        if m not in hits or request[run[-1].end():m.start()].strip():
            break
        run.append(m)
    return request[:run[0].start()] + new + request[run[-1].end():]


_WITH = re.compile(r"\s+with\s+[^,;.?!]*?(?=\s+(?:for|by|due|until)\b|[,;.?!]|$)", re.IGNORECASE)


def _options_bound(example: Example, procedure: Procedure, binding: _Rebinding, slots: dict[str, Any],
                   request: str) -> str:
    """The example's options the stand-in product offers kept in ``slots``, the others left out, and the
    request without its "with ..." where any was left out."""
    name = procedure.slot_of(SlotKind.options)
    if not binding.products or name is None or not example.slots.get(name):
        return request
    offered = binding.products[1].offered_options
    slots[name] = [o for o in example.slots[name] if o in offered] or None
    if slots[name] == example.slots[name]:
        return request
    if example.lang != "en" or not _WITH.search(request):
        raise _Unbound(name)
    return _WITH.sub("", request, count=1)


def fitted_example(example: Example, procedure: Procedure, binding: _Rebinding,
                   validator: Draft202012Validator) -> Example | None:
    """The example on this plant: as written, re-bound to this plant's things, or None when it cannot be."""
    machine_slot, product_slot = procedure.slot_of(SlotKind.machine), procedure.slot_of(SlotKind.product)
    source = example.slots.get(machine_slot) if machine_slot else None
    try:
        machine = (source, binding.machine(source, *_tags_named(example, procedure))) if source else None
        product = binding.product(example.slots[product_slot]) if example.slots.get(product_slot or "") else None
        bound = {machine_slot: machine and machine[1].id, product_slot: product and product.id}

        def rebound(name: str, value: Any) -> Any:
            kind = procedure.slots[name].kind
            if bound.get(name):
                return bound[name]
            return value if kind is SlotKind.options and binding.products else _rebound(kind, value, binding, machine)

        slots = {name: rebound(name, value) for name, value in example.slots.items()}
        request = _options_bound(example, procedure, binding, slots, example.request)
        if slots == example.slots:
            return example
        request = _renamed_request(example.model_copy(update={"request": request}), binding)
    except _Unbound:
        return None
    if any(True for _ in validator.iter_errors({name: slots.get(name) for name in procedure.slots})):
        return None
    return example.model_copy(update={"request": request, "slots": slots})


def _lacks_a_kind(procedure: Procedure, plant: Plant) -> bool:
    return any(not plant_values(s.kind, plant) for s in procedure.slots.values()
               if s.kind in _IDS | _TAGS | {SlotKind.setpoint_changes})


def fitted_to(procedures: Procedures, plant: Plant) -> Procedures:
    """The procedures this plant can serve, their examples re-bound from the plant they were written for."""
    reference = load_plant(shipped_plant(procedures.written_for)) if procedures.written_for else plant
    if plant == reference:
        return procedures
    kept = []
    uses: Counter[str] = Counter()
    for procedure in procedures.procedures:
        validator = Draft202012Validator(choice_schema(procedure, plant)["function"]["parameters"])
        examples = [fitted for e in procedure.examples
                    if (fitted := fitted_example(e, procedure, _Rebinding(plant, reference, uses), validator))]
        if 2 * len(examples) >= len(procedure.examples) or not _lacks_a_kind(procedure, plant):
            kept.append(procedure.model_copy(update={"examples": examples}))
    return procedures.model_copy(update={"procedures": kept})
