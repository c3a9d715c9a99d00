"""A draft of `plant import` as a plant file: one line per tag like the demo plant file, with what the admin reviews
as comments (which variable is the state, which tags are writable, what was left out and why, what is in doubt)."""

from __future__ import annotations

import yaml

from connectors.plc.opcua.draft import Draft, DraftMachine, DraftTag

PLC_NAME = "opcua"
"""The name of the imported server in the draft's ``plcs:``."""


def _flow(value: object) -> str:
    """One YAML value on one line (in a list first, so that a scalar gets no document end marker)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=10**6, sort_keys=False, allow_unicode=True)
    return text.strip()[1:-1]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _mark(tag: DraftTag) -> str:
    if tag.writable:
        return "writable within the server's EURange: give it a max_step"
    if tag.server_writable:
        return "the server lets it be written; read-only here until it has min, max and writable: true"
    return ""


def _tag_line(tag: DraftTag) -> str:
    fields: dict[str, object] = {"unit": tag.unit, "opcua": tag.opcua, "type": tag.type}
    if tag.min is not None and tag.max is not None:
        fields.update(min=_number(tag.min), max=_number(tag.max))
    if tag.enum:
        fields["enum"] = tag.enum
    if tag.writable:
        fields["writable"] = True
    notes = "; ".join(note for note in (tag.note, _mark(tag)) if note)
    return f"          {_flow(tag.name)}: {_flow(fields)}" + (f"   # {notes}" if notes else "")


def _machine(machine: DraftMachine) -> list[str]:
    out = [f"      - id: {_flow(machine.id)}"]
    out += [f"        {key}: {_flow(getattr(machine, key))}" for key in ("name", "kind", "model", "manufacturer")]
    out += [f"        # to look at: {doubt}" for doubt in machine.doubts]
    out += ["        tags:" if machine.tags else "        tags: {}"] + [_tag_line(tag) for tag in machine.tags]
    out += [f"          # {skipped}" for skipped in machine.skipped]
    return out + [""]


def _head(draft: Draft) -> list[str]:
    return [
        f"# Drafted by `plant-copilot plant import {draft.url}` (security {draft.security.value}): review it",
        "# before use.",
        "# A tag the server lets be written and bounds with an EURange is writable within it: give each a max_step.",
        "# A machine's state is its tag `state`, read from a State/Status variable with named values or a Running",
        "# flag (README \"Importing from OPC UA\"). Add alarm_high / alarm_low thresholds, the BOMs, parts, suppliers",
        "# and products; then `plant-copilot plant check --plant-file THIS_FILE`.",
        f"# Left out: {len(draft.skipped)} variable(s); to look at: {len(draft.doubts)} (comments below).",
        "plant:",
        f"  id: {_flow(draft.plant_id)}",
        f"  name: {_flow(draft.plant_name)}",
        f"  opcua_namespace: {_flow(draft.namespace)}",
        "",
        "plcs:",
        f"  {PLC_NAME}: {_flow({'protocol': 'opcua', 'url': draft.url, 'security': draft.security.value})}",
        "",
    ]


def render(draft: Draft) -> str:
    """The draft as a plant file whose machines are on the imported server (``plcs:``), for review."""
    out = _head(draft) + (["lines:"] if draft.lines else ["lines: []"])
    for line in draft.lines:
        out += [f"  - id: {_flow(line.id)}", f"    name: {_flow(line.name)}", f"    plc: {PLC_NAME}", "    machines:"]
        for machine in line.machines:
            out += _machine(machine)
    out += ["suppliers: []", "parts: []", "products: []", "production_orders: []", ""]
    return "\n".join(out)
