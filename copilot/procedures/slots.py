"""Slots as JSON schema: what the model may fill, with the allowed values taken from the plant file.

Each procedure becomes one choice of the model's constrained call, its arguments
the procedure's slots. A slot that names a plant thing is an enum of the things
the plant has, so a filled slot always exists; every slot is optional in the
schema, so the model leaves out what the request does not say instead of being
forced to guess, and the procedure asks back for what it needs.
"""

from __future__ import annotations

from typing import Any

from connectors.plant import Plant
from copilot.llm.constrained import LABEL
from copilot.procedures.decisions import PREFERENCES, PRIORITIES
from copilot.procedures.spec import Procedure, Slot, SlotKind


def _enum(values: list[str], label: str | None = None) -> dict[str, Any]:
    if not values:
        return {"type": "null"}  # the plant has none of them
    schema: dict[str, Any] = {"type": "string", "enum": sorted(dict.fromkeys(values))}
    return {**schema, LABEL: label} if label else schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def slot_schema(slot: Slot, plant: Plant) -> dict[str, Any]:
    """The JSON schema of a slot's value: for a name of the plant, an enum of the plant's names of
    that kind."""
    machines = list(plant.machines.values())
    setpoints = [t.name for m in machines for t in m.setpoints]
    number = {"type": "number"}
    options = {"type": "array", "items": _enum(plant.options),
               "maxItems": 4}
    kinds: dict[SlotKind, dict[str, Any]] = {
        SlotKind.machine: _enum([m.id for m in machines], "machine id"),
        SlotKind.line: _enum([line.id for line in plant.lines], "line id"),
        SlotKind.setpoint: _enum(setpoints, "setpoint tag"),
        SlotKind.tag: _enum([t for m in machines for t in m.tags], "tag name"),
        SlotKind.part: _enum([p.id for p in plant.parts], "part number"),
        SlotKind.supplier: _enum([s.id for s in plant.suppliers], "supplier id"),
        SlotKind.preference: _enum(list(PREFERENCES)),
        SlotKind.priority: _enum(list(PRIORITIES)),
        SlotKind.production_order: _enum([o.id for o in plant.production_orders], "production order id"),
        SlotKind.product: _enum([p.id for p in plant.products], "product id"),
        SlotKind.variant: _enum([v.id for p in plant.products for v in p.variants], "variant id"),
        SlotKind.colour: _enum(plant.colours),
        SlotKind.options: options,
        SlotKind.without: options,
        SlotKind.setpoint_changes: {
            "type": "array", "minItems": 1, "maxItems": 4,
            "items": {"type": "object", "additionalProperties": False, "required": ["tag", "to", "by", "percent"],
                      "properties": {"tag": _nullable(_enum(setpoints, "setpoint tag")), "to": _nullable(number),
                                     "by": _nullable(number), "percent": _nullable(number)}},
        },
        SlotKind.command: _enum(["start", "stop"]),
        SlotKind.integer: {"type": "integer", "minimum": 0},
        SlotKind.number: number,
        SlotKind.total: {"type": "integer", "minimum": 0},
        SlotKind.more: number,
        SlotKind.text: {"type": "string", "maxLength": 120},
        SlotKind.flag: {"type": "boolean"},
        SlotKind.purchase: {"type": "boolean"},
        SlotKind.day: {"type": "string", "maxLength": 40},
    }
    return kinds[slot.kind]


def choice_schema(procedure: Procedure, plant: Plant) -> dict[str, Any]:
    """The procedure as a tool the model may call: its description and examples, its slots as parameters."""
    properties = {name: {**_nullable(slot_schema(slot, plant)),
                         **({"description": slot.description} if slot.description else {})}
                  for name, slot in procedure.slots.items()}
    return {
        "type": "function",
        "function": {
            "name": procedure.name,
            "description": procedure.description,
            "parameters": {"type": "object", "properties": properties, "required": list(properties),
                           "additionalProperties": False},
        },
    }
