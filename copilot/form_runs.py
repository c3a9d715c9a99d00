"""A procedure run from its form: the form's values checked into the choice the run starts from, and what the
run became."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from copilot.agent.state import Chosen
from copilot.errors import FormRejected, RequestRejected
from copilot.procedures.form_input import read_form
from copilot.procedures.forms import Form
from copilot.steps import Step


@dataclass(frozen=True)
class FormRun:
    """A procedure run from its form: its conversation and the steps it took (to its answer, or to a wait)."""

    thread_id: str
    steps: list[Step]


def chosen_from(forms: list[Form], procedure: str, values: dict[str, Any]) -> tuple[Chosen, str]:
    """The procedure chosen with the form's values as given, and the request they say in words; RequestRejected
    for a procedure with no form, FormRejected (one line per bad field) for values it cannot run on."""
    form = next((f for f in forms if f.procedure == procedure), None)
    if form is None:
        raise RequestRejected(f"no procedure {procedure!r} is in use; the forms are "
                              f"{', '.join(f.procedure for f in forms) or 'none (procedures are off)'}")
    checked = read_form(form, values)
    if not checked.ok:
        raise FormRejected(checked.problems)
    return Chosen(procedure=procedure, slots=checked.slots, as_given=True), checked.request
