"""Forms: every procedure as a form, so each runs without the model.

The fields, their choices (the loaded plant's machines, parts, setpoints, orders), units and limits are the
copilot's (``Copilot.forms``); submitting runs the procedure through the same gate, sign-off, ledger and audit as
the chat (``Copilot.run_form``), in a new conversation the chat shows. A bad value gets one line under the form
and every value stays as typed. The chat opens this page with what it understood filled in (a ``FormOffer``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from copilot import ConversationBusy, FormOffer, FormRejected, RequestRejected
from copilot.procedures import Form, FormField, SlotKind
from ui.auth import require
from ui.shared import copilot_ready, get_runtime
from ui.steps import show_steps

RUN_TIMEOUT_S = 600.0
OFFER = "form_offer"  # the FormOffer the chat left for this page
KEPT, FILLED = "form_offer_kept", "form_offer_filled"  # the offer in hand, and the forms filled in from it
NONE = ""

user = require("forms")
st.title("Forms")
copilot = copilot_ready()
runtime = get_runtime()
forms = runtime.sync(copilot.forms)


def key(form: Form, name: str, part: str = "") -> str:
    """The widget key of a form's field (``part``: of a field drawn as several inputs)."""
    return f"form-{form.procedure}-{name}{part}"


def machine_of(form: Form) -> str | None:
    """The machine the form's machine field holds now."""
    field = next((f for f in form.fields if f.kind is SlotKind.machine), None)
    return (st.session_state.get(key(form, field.name)) or None) if field else None


def prefill(form: Form, offer: FormOffer) -> None:
    """The offer's values into the form's widgets, once, before they are drawn."""
    for name, value in offer.values_for(form).items():
        field = form.field(name)
        if field is None:
            continue
        if field.kind is SlotKind.setpoint_changes:
            first = value[0] if isinstance(value, list) and value else {}
            st.session_state[key(form, name, "-tag")] = first.get("tag") or NONE
            st.session_state[key(form, name, "-to")] = "" if first.get("to") is None else f"{first['to']:g}"
        elif field.multiple:
            st.session_state[key(form, name)] = list(value)
        else:
            st.session_state[key(form, name)] = value if field.chosen else str(value)


def setpoint_change(form: Form, field: FormField) -> Any:
    """One setpoint of the chosen machine and its new value, with its unit and limits shown."""
    machine = machine_of(form)
    points = form.setpoints.get(machine, ()) if machine else ()
    labels = {p.tag: p.label for p in points}
    left, right = st.columns(2)
    tag = left.selectbox(f"{field.label}: setpoint", [NONE, *labels], key=key(form, field.name, "-tag"),
                         format_func=lambda t: labels.get(t, "—"), disabled=not points,
                         help="choose the machine first" if not points else field.help)
    point = next((p for p in points if p.tag == tag), None)
    to = right.text_input("new value" + (f" ({point.symbol})" if point and point.unit else ""),
                          key=key(form, field.name, "-to"), placeholder="a number")
    if point is not None and point.limits:
        st.caption(f"{machine} {point.words} may be set from {point.limits}")
    return [{"tag": tag, "to": to}] if tag or to.strip() else None


def widget(form: Form, field: FormField) -> Any:
    """The field's input; its value as the person left it (text where it is typed)."""
    label = field.label + (" *" if field.required else "")
    if field.kind is SlotKind.setpoint_changes:
        return setpoint_change(form, field)
    if field.multiple:
        labels = {c.value: c.label for c in field.choices}
        return st.multiselect(label, list(labels), key=key(form, field.name), format_func=labels.get,
                              help=field.help or None)
    if field.chosen:
        choices = field.choices
        if field.kind in (SlotKind.setpoint, SlotKind.tag) and (machine := machine_of(form)):
            own = [p.tag for p in form.setpoints.get(machine, ())] if field.kind is SlotKind.setpoint else \
                form.tags.get(machine, ())
            choices = tuple(c for c in choices if c.value in own)
        labels = {c.value: c.label for c in choices}
        return st.selectbox(label, [NONE, *labels], key=key(form, field.name),
                            format_func=lambda v: labels.get(v, "—"), help=field.help or None)
    if field.kind in (SlotKind.flag, SlotKind.purchase):
        return st.selectbox(label, [NONE, "yes", "no"], key=key(form, field.name), format_func=lambda v: v or "—",
                            help=field.help or None)
    hint = {SlotKind.integer: "a whole number", SlotKind.total: "a whole number", SlotKind.more: "a whole number",
            SlotKind.number: "a number", SlotKind.day: "a date or a weekday"}.get(field.kind, "")
    return st.text_input(label, key=key(form, field.name), placeholder=hint, help=field.help or None)


def run(form: Form, values: dict[str, Any]) -> None:
    """Run the procedure; its steps are shown, or one line per bad field (the values stay as typed)."""
    try:
        with st.spinner(f"Running {form.title.lower()}…"):
            done = runtime.call(copilot.run_form(user, form.procedure, values), timeout=RUN_TIMEOUT_S)
    except FormRejected as exc:
        st.error("The form cannot run yet:\n\n" + "\n".join(f"- {line}" for line in exc.problems))
        return
    except (ConversationBusy, RequestRejected, TimeoutError) as exc:
        st.error(str(exc))
        return
    st.session_state["thread_id"] = done.thread_id  # the chat opens this conversation
    st.success(f"{form.title} ran as the chat runs it; changes that need sign-off wait in the approvals queue.")
    with st.container(border=True, key="form-run"):
        show_steps(done.steps)
    st.page_link("pages/chat.py", label="Follow it in the chat", icon=":material/chat:")


if copilot.model_off:
    st.info("The model is off (COPILOT_PROVIDER=none): every procedure runs from its form here.")
if not forms:
    st.warning("No procedures are in use (COPILOT_PROCEDURES=false), so there are no forms.")
    st.stop()
by_name = {f.procedure: f for f in forms}
if (fresh := st.session_state.pop(OFFER, None)) is not None:  # the chat's offer: kept while this page is open
    st.session_state[KEPT], st.session_state[FILLED] = fresh, set()
    if fresh.procedure in by_name:
        st.session_state["form-procedure"] = fresh.procedure
chosen = by_name[st.selectbox("Procedure", list(by_name), key="form-procedure",
                              format_func=lambda name: by_name[name].title)]
offer: FormOffer | None = st.session_state.get(KEPT)
if offer is not None:
    if chosen.procedure not in st.session_state[FILLED]:  # each form filled in once, then left as edited
        prefill(chosen, offer)
        st.session_state[FILLED].add(chosen.procedure)
    st.info(f"{offer.line}. The form is filled in with what was understood: check it, then run it.")
st.caption(chosen.description)
if chosen.changes:
    st.caption("Its changes go through the policy gate: some run at once, some wait for a supervisor's sign-off.")
entered = {field.name: widget(chosen, field) for field in chosen.fields}
if st.button("Run", type="primary", icon=":material/play_arrow:", key="form-run-button"):
    run(chosen, {name: value for name, value in entered.items() if value not in (None, NONE, [])})
