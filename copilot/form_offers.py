"""The form the chat offers instead of an answer: when the procedure asks back (the model or the code was unsure),
or when no model answered (it is off, down or too slow), pre-filled with what was understood.

What the procedure understood is its run's slots; with no model, it is what code finds in the request's words
(the machines, lines, parts and orders it names; copilot/understanding/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from connectors.plant import Plant
from copilot.agent.choose import OUTAGE
from copilot.llm.errors import Outage
from copilot.procedures.forms import Form
from copilot.procedures.grounding import ID_WORD
from copilot.procedures.run import ProcedureRun, RunState
from copilot.procedures.spec import SlotKind
from copilot.understanding.machines import lines_named, machines_named


class OfferReason(StrEnum):
    """Why the chat offers a form."""

    asking = "asking"  # the procedure asks back: what it understood is in the form
    off = "off"  # no model is configured
    down = "down"  # the model did not answer
    slow = "slow"  # the model did not answer in time


_LINES = {
    OfferReason.asking: "or fill in its form, with what I understood filled in",
    OfferReason.off: "The model is off: every procedure runs from its form",
    OfferReason.down: "The model is down: the procedures run from their forms meanwhile",
    OfferReason.slow: "The model is too slow right now: the procedures run from their forms",
}


@dataclass(frozen=True)
class FormOffer:
    """A form offered in the chat: why, which procedure's (None: the person picks one), and what to fill in —
    by field name for that procedure, by kind for any form."""

    reason: OfferReason
    procedure: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    heard: dict[SlotKind, str] = field(default_factory=dict)

    @property
    def line(self) -> str:
        return _LINES[self.reason]

    def values_for(self, form: Form) -> dict[str, Any]:
        """What to pre-fill in ``form``: the run's own values for its procedure, else the plant things heard."""
        if form.procedure == self.procedure:
            return {k: v for k, v in self.values.items() if form.field(k) is not None}
        return {f.name: self.heard[f.kind] for f in form.fields if f.kind in self.heard}


def heard_in(text: str, plant: Plant) -> dict[SlotKind, str]:
    """The plant things a request names, found by code: one machine, one line, a part or an order by its id."""
    heard: dict[SlotKind, str] = {}
    if len(machines := machines_named(text, plant)) == 1:
        heard[SlotKind.machine] = machines[0]
    if len(lines := sorted(lines_named(text, plant))) == 1:
        heard[SlotKind.line] = lines[0]
    ids = set(ID_WORD.findall(text.upper()))
    for kind, known in ((SlotKind.part, [p.id for p in plant.parts]),
                        (SlotKind.production_order, [o.id for o in plant.production_orders])):
        if found := [i for i in known if i in ids]:
            heard[kind] = found[0]
    return heard


def _form_values(slots: dict[str, Any], form: Form | None) -> dict[str, Any]:
    """A run's slots as its form's values: a setpoint change only where it sets a value (a form sets, not steps)."""
    if form is None:
        return {}
    values = {k: v for k, v in slots.items() if form.field(k) is not None}
    for item in form.fields:
        if item.kind is SlotKind.setpoint_changes and isinstance(changes := values.get(item.name), list):
            values[item.name] = [{"tag": c.get("tag"), "to": c.get("to")} for c in changes
                                 if isinstance(c, dict) and c.get("to") is not None]
    return values


def offer_of(messages: list[BaseMessage], run: ProcedureRun | None, plant: Plant, forms: list[Form], *,
             gave_up: bool = False) -> FormOffer | None:
    """The form a conversation's last turn offers, or None: a run asking back, an answer no model gave, or (``gave_up``:
    the chat stopped waiting for the turn) a turn too slow to answer."""
    request = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    last = messages[-1] if messages else None
    if run is not None and run.outcome is RunState.asking:
        form = next((f for f in forms if f.procedure == run.procedure), None)
        return FormOffer(OfferReason.asking, run.procedure, _form_values(run.slots, form), heard_in(request, plant))
    outage = last.additional_kwargs.get(OUTAGE) if isinstance(last, AIMessage) else None
    if outage is not None:
        return FormOffer(OfferReason(Outage(outage).value), heard=heard_in(request, plant))
    if gave_up and not (isinstance(last, AIMessage) and last.content and not last.tool_calls):
        return FormOffer(OfferReason.slow, heard=heard_in(request, plant))
    return None
