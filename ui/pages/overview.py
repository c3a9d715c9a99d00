"""Plant overview: every machine's live tags over the PLC protocol, trends, alarms, open orders.

Everything comes from the copilot's view of the plant (copilot/reports/plant_view.py: its own connections over the
real protocols, judged as the tools judge them), refreshed by fragments; the trend is the plant historian's.
On the simulator, engineers and admins get demo controls that inject and clear faults; operators and
supervisors see the plant, they do not break it.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from copilot.reports import MachineNow, PlantError
from ui.auth import SIMULATOR_CONTROL, require
from ui.shared import get_runtime
from ui.simcontrol import FAULTS, MACHINE_FAULTS, SimControl

LIVE_EVERY_S = 3.0
TREND_EVERY_S = 10.0

user = require("overview")
runtime = get_runtime()
try:
    view = runtime.plant_view()
except Exception as exc:  # noqa: BLE001 - an unreachable plant is a message, not a traceback
    st.error(f"The plant's systems do not answer: {exc}")
    st.stop()
plant = view.plant


def machine_table(now: MachineNow) -> str:
    """A machine's readings now as a Markdown table; writable setpoints are marked ✎."""
    rows = ["| tag | value |", "|---|---:|"]
    for r in now.readings:
        value = f"{r.value:.2f}" if isinstance(r.value, float) else str(r.value)
        rows.append(f"| {r.tag}{' ✎' if r.writable else ''} | {f'{value} {r.unit}'.strip()} |")
    return "\n".join(rows)


def alarm_rows(now: MachineNow) -> list[dict[str, object]]:
    """The machine's alarms as rows: its server's alarm conditions (with severity and state) where it keeps them,
    else those of its tags."""
    if now.conditions is not None:
        return [{"machine": c.machine_id, "alarm": c.condition, "severity": c.severity, "state": c.state(),
                 "message": c.message} for c in now.conditions]
    return [{"machine": a.machine_id, "alarm": a.tag, "severity": None, "state": "active", "message": a.message}
            for a in now.alarms]


@st.fragment(run_every=LIVE_EVERY_S)
def live() -> None:
    """Each line's machines read live from the PLCs (state and readings), then the active alarms."""
    try:
        machines = {m.machine.id: m for m in runtime.call(view.machines(), timeout=20)}
    except TimeoutError:
        st.warning("The PLCs did not answer within 20 s.")
        return
    alarms = []
    for line in plant.lines:
        st.subheader(f"{line.id} · {line.name}")
        columns = st.columns(len(line.machines))
        for column, machine in zip(columns, line.machines, strict=True):
            now = machines[machine.id]
            with column.container(border=True, key=f"machine-{machine.id}"):
                st.markdown(f"**{machine.id}** · {machine.name}")
                alarms += alarm_rows(now)
                if now.problem is not None:
                    st.error(f"PLC unreachable: {now.problem}")
                    continue
                badge = {"running": "green", "stopped": "gray"}.get(now.state, "red")
                st.markdown(f":{badge}-badge[{now.state}]")
                st.markdown(machine_table(now))
    st.subheader("Active alarms")
    if alarms:
        st.table(alarms)
    else:
        st.caption("No active alarms.")
    st.caption(f"Read live from the PLCs at {time.strftime('%H:%M:%S')}; ✎ = writable setpoint.")


@st.fragment(run_every=TREND_EVERY_S)
def trend() -> None:
    """A chart of the chosen machine's tags from the historian over the last chosen minutes."""
    st.subheader("Trends")
    left, middle, right = st.columns([1, 2, 1])
    machine_id = left.selectbox("Machine", list(plant.machines), key="trend_machine")
    numeric = view.trendable(machine_id)
    tags = middle.multiselect("Tags", numeric, default=numeric[:2], key=f"trend_tags_{machine_id}")
    minutes = right.slider("Minutes", 1, 120, 15, key="trend_minutes")
    if not tags:
        return
    try:
        series = runtime.call(view.trend(machine_id, tags, minutes), timeout=20)
    except (PlantError, TimeoutError) as exc:
        st.warning(f"The historian did not answer: {exc}")
        return
    frames = [pd.Series({t / 60: v for t, v in samples}, name=tag) for tag, samples in series.items() if samples]
    if not frames:
        st.caption("No samples yet in this window (the simulated clock may be frozen).")
        return
    st.line_chart(pd.concat(frames, axis=1).sort_index(), x_label="simulated minutes", height=260)


def orders() -> None:
    """The ERP's open work orders and the purchase orders on order."""
    try:
        found = runtime.call(view.open_orders(), timeout=20)
    except (PlantError, TimeoutError) as exc:
        st.warning(f"The ERP did not answer: {exc}")
        return
    left, right = st.columns(2)
    left.subheader("Open work orders")
    if found.work_orders:
        left.table([{"id": w.id, "machine": w.machine_id, "title": w.title, "priority": w.priority,
                     "status": w.status, "by": w.requested_by} for w in found.work_orders])
    else:
        left.caption("None.")
    right.subheader("Purchase orders on order")
    if found.purchase_orders:
        right.table([{"id": p.id, "part": p.part, "qty": p.quantity, "supplier": p.supplier_name,
                      "total": f"{p.total_price:.2f}", "due": str(p.expected_delivery)} for p in found.purchase_orders])
    else:
        right.caption("None.")


def sim_controls() -> None:
    """Inject and clear the simulator's faults: only for roles allowed to, and only when the plant is the simulator."""
    control = SimControl(runtime.connectors)
    if user.role not in SIMULATOR_CONTROL or not control.reachable():
        return
    with st.expander("Simulator controls (demo)", icon=":material/science:"):
        with st.form("inject"):
            a, b, c = st.columns(3)
            kind = a.selectbox("Fault", FAULTS)
            machine_id = b.selectbox("Machine", list(plant.machines))
            severity = c.slider("Severity", 0.1, 1.0, 0.8)
            if st.form_submit_button("Inject fault"):
                try:
                    control.inject(kind, machine_id if kind in MACHINE_FAULTS else None, severity)
                    st.toast(f"{kind} injected")
                except (ValueError, OSError) as exc:
                    st.error(str(exc))
        active = control.state().get("faults", [])
        st.caption("Active faults: " + (", ".join(f"{f['kind']} {f.get('machine_id') or ''}".strip() for f in active)
                                        or "none"))
        if st.button("Clear all faults"):
            st.toast(f"{control.clear()} fault(s) cleared")


st.title("Plant overview")
st.caption(f"{plant.plant.name}: {len(plant.lines)} lines, {len(plant.machines)} machines")
sim_controls()
live()
trend()
orders()
