"""Orders: a planner configures a customer's order from PLM's products, sees each check green or red with its
reason, the substitutions offered, the line's sequence before and after as a Gantt chart, and the sign-offs
waiting for order changes. Reads only, through the copilot's public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from copilot import ConfigurationCheck, LineSequence, OrderRequest, check_order, plm_products, sequenced_line
from ui.auth import require
from ui.shared import get_runtime

ORDER_TOOLS = ("create_purchase_order", "change_production_order")  # the changes an order's plan proposes

require("orders")
st.title("Orders")
runtime = get_runtime()
try:
    products = {p.id: p for p in runtime.call(plm_products(runtime.connectors), timeout=60)}
except Exception as exc:  # noqa: BLE001 - a PLM that does not answer is told, not a traceback
    st.error(f"PLM does not answer: {exc}")
    st.stop()
if not products:
    st.info("PLM knows no product of this plant (plm.yaml beside the plant file).")
    st.stop()

today = datetime.now(UTC).date()
left, right = st.columns(2)
product = products[left.selectbox("Product", list(products), key="order_product",
                                  format_func=lambda p: f"{p} – {products[p].name}")]
colour = left.selectbox("Colour", product.colours, key="order_colour")
names = {o.id: o.name for o in product.options}
options = left.multiselect("Options", list(names), key="order_options", format_func=lambda o: names[o])
quantity = right.number_input(f"Quantity ({product.unit})", min_value=1, value=600, step=100, key="order_quantity")
due = right.date_input("Due", value=today + timedelta(days=7), min_value=today, key="order_due")
if st.button("Check the order", icon=":material/fact_check:", type="primary"):
    request = OrderRequest(product.id, colour, tuple(options), int(quantity), due)
    try:
        st.session_state["order_check"] = runtime.call(check_order(runtime.connectors, request), timeout=60)
    except Exception as exc:  # noqa: BLE001 - a request the product cannot take, or a system down: one line
        st.session_state.pop("order_check", None)
        st.error(f"The order cannot be checked: {exc}")


def show(ok: bool, text: str) -> None:
    """One check: green when it passes, red with its reason when it does not."""
    (st.success if ok else st.error)(text, icon=":material/check_circle:" if ok else ":material/cancel:")


def show_checks(check: ConfigurationCheck) -> None:
    """Each check of the configuration with its reason."""
    show(not check.broken_rules, "Option rules: " + ("; ".join(b.line for b in check.broken_rules) or "none broken"))
    refused = check.recipe_refusals
    show(not refused, "Recipe: " + ("; ".join(s.line for s in refused) or
                                    ", ".join(s.line for s in check.recipe) or "no setpoint"))
    for material in check.materials:
        show(material.in_time, f"Material {material.line}")
    if check.capacity is not None:
        c = check.capacity
        show(True, f"Capacity: line {c.line_id} free on {c.line_free} ({c.queue_h:.1f} h queued ahead, "
                   f"{c.changeover_h:.1f} h changeover, {c.run_h:.1f} h run)")
    if check.place is not None:
        show(True, f"Place in the queue: {check.place.line}")
    if check.buildable:
        finished, due = f"finished {check.finish}" if check.finish else "a material cannot be had", check.request.due
        show(check.finish is not None and check.finish <= due, f"Due date {due}: {finished}")


def gantt(sequence: LineSequence) -> alt.Chart:
    """The sequence before and after as bars of line hours: each order's changeover, then its run."""
    rows = []
    for label, slots in (("first come", sequence.before), ("sequenced", sequence.after)):
        for s in slots:
            what = f"{s.name} ({', '.join(s.features)})"
            if s.changeover_min:
                rows.append({"sequence": label, "order": what, "start": s.start_h - s.changeover_min / 60,
                             "end": s.start_h, "part": "changeover"})
            rows.append({"sequence": label, "order": what, "start": s.start_h, "end": s.end_h, "part": s.colour})
    return alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("start:Q", title="line hours from the start of today"), x2="end:Q",
        y=alt.Y("order:N", sort=None, title=None), color=alt.Color("part:N", title=None),
        row=alt.Row("sequence:N", sort=["first come", "sequenced"], title=None),
        tooltip=["order", "part", "start", "end"]).properties(height=120)


def show_sequence(sequence: LineSequence) -> None:
    """A line's sequence: its figures, the Gantt chart, and each order's times."""
    st.subheader(f"Line {sequence.line_id}: the sequence")
    a, b, c = st.columns(3)
    a.metric("Changeover first come", f"{sequence.changeover_before_min:g} min")
    b.metric("Changeover sequenced", f"{sequence.changeover_after_min:g} min")
    c.metric("Saved", f"{sequence.saved_min:g} min")
    st.caption(sequence.line)
    st.altair_chart(gantt(sequence), width="stretch")
    st.dataframe([{"order": s.name, "colour": s.colour, "features": ", ".join(s.features), "units": s.units,
                   "changeover min": s.changeover_min, "start h": round(s.start_h, 2), "end h": round(s.end_h, 2),
                   "finished": s.finish, "due": s.due, "late": s.late} for s in sequence.after], hide_index=True)


def show_sign_offs() -> None:
    """The order changes waiting for sign-off, once the copilot has started."""
    st.subheader("Sign-offs")
    if not runtime.ready.done() or runtime.ready.exception() is not None:
        st.caption("The copilot is not running yet: the sign-offs show once it is.")
        return
    waiting = [a for a in runtime.sync(runtime.copilot.pending) if a.tool in ORDER_TOOLS]
    if not waiting:
        st.caption("No order change waits for sign-off.")
        return
    st.dataframe([{"action": a.action_id, "change": a.change, "asked by": a.requester, "status": a.status.value,
                   "approvals": ", ".join(a.approvers) or "none yet"} for a in waiting], hide_index=True)


check = st.session_state.get("order_check")
if check is not None:
    st.subheader(check.request.line)
    show_checks(check)
    offered = [(m, s) for m in check.late_materials for s in m.substitutions]
    if offered:
        st.subheader("Substitutions")
        st.dataframe([{"for": m.material, "kind": s.kind.value, "what": s.option_change or s.material,
                       "buy": s.to_buy, "supplier": s.supplier or "stock", "cost": s.cost, "kg CO2e": s.carbon_kg,
                       "ready": s.ready, "finished": s.finish, "meets the date": s.meets_due,
                       "recommended": s.recommended} for m, s in offered], hide_index=True)
    if check.sequence is not None:
        show_sequence(check.sequence)
with st.expander("A line's queue as it stands, sequenced", icon=":material/reorder:"):
    lines = list(dict.fromkeys(p.routing.line for p in products.values()))
    line_id = st.selectbox("Line", lines, key="queue_line")
    if st.button("Sequence the line", icon=":material/swap_vert:"):
        try:
            show_sequence(runtime.call(sequenced_line(runtime.connectors, line_id), timeout=60))
        except Exception as exc:  # noqa: BLE001 - a system down or a line PLM has no product on: one line
            st.error(f"The line cannot be sequenced: {exc}")
show_sign_offs()
