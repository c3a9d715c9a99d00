"""Plant overview: every machine's live tags over the PLC protocol, trends, alarms, open orders.

Values are read by the runtime's own PLC, ERP and MES clients (the real protocols, the
same connectors the tools use) and refreshed by fragments; the trend comes from the
plant historian through the MES. On the simulator, engineers and admins get demo controls that
inject and clear faults; operators and supervisors see the plant, they do not break it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pandas as pd
import streamlit as st

from connectors.errors import ConnectorError
from connectors.plant import Machine
from tools.live import alarms_of, state_of
from ui.auth import SIMULATOR_CONTROL, require
from ui.runtime import PlantClients
from ui.shared import get_runtime
from ui.simcontrol import FAULTS, MACHINE_FAULTS, SimControl

LIVE_EVERY_S = 3.0
TREND_EVERY_S = 10.0

user = require("overview")
runtime = get_runtime()
try:
    clients = runtime.plant_clients()
except Exception as exc:  # noqa: BLE001 - an unreachable plant is a message, not a traceback
    st.error(f"The plant's systems do not answer: {exc}")
    st.stop()
plant = clients.plant


async def read_all(c: PlantClients) -> dict[str, dict[str, Any] | str]:
    """machine -> tag -> value, or the error text of a PLC that did not answer."""

    async def one(machine: Machine) -> dict[str, Any] | str:
        try:
            return {name: tv.value for name, tv in (await c.plc.read_many(machine.id)).items()}
        except ConnectorError as exc:
            return str(exc)

    # one after the other: a dead PLC makes the client reconnect, which would cut concurrent reads short
    return {m.id: await one(m) for m in plant.machines.values()}


def show_value(machine: Machine, tag: str, value: Any) -> str:
    spec = machine.tags[tag]
    if spec.enum and isinstance(value, (int, float)) and int(value) in spec.enum:
        return spec.enum[int(value)]
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def machine_table(machine: Machine, raw: dict[str, Any]) -> str:
    rows = ["| tag | value |", "|---|---:|"]
    for name, spec in machine.tags.items():
        if name in raw:
            mark = " ✎" if spec.writable else ""
            value = f"{show_value(machine, name, raw[name])} {spec.unit}".strip()
            rows.append(f"| {name}{mark} | {value} |")
    return "\n".join(rows)


@st.fragment(run_every=LIVE_EVERY_S)
def live() -> None:
    try:
        readings = runtime.call(read_all(clients), timeout=20)
    except TimeoutError:
        st.warning("The PLCs did not answer within 20 s.")
        return
    alarms = []
    for line in plant.lines:
        st.subheader(f"{line.id} · {line.name}")
        columns = st.columns(len(line.machines))
        for column, machine in zip(columns, line.machines, strict=True):
            raw = readings[machine.id]
            with column.container(border=True, key=f"machine-{machine.id}"):
                st.markdown(f"**{machine.id}** · {machine.name}")
                if isinstance(raw, str):
                    st.error(f"PLC unreachable: {raw}")
                    continue
                state = state_of(machine, raw)
                badge = {"running": "green", "stopped": "gray"}.get(state, "red")
                st.markdown(f":{badge}-badge[{state}]")
                found = alarms_of(plant, machine, raw)
                alarms += found
                st.markdown(machine_table(machine, raw))
    st.subheader("Active alarms")
    if alarms:
        st.table([{"machine": a.machine_id, "tag": a.tag, "value": a.value, "alarm": a.message} for a in alarms])
    else:
        st.caption("No active alarms.")
    st.caption(f"Read over {runtime.settings.plc_protocol} at {time.strftime('%H:%M:%S')}; ✎ = writable setpoint.")


@st.fragment(run_every=TREND_EVERY_S)
def trend() -> None:
    st.subheader("Trends")
    left, middle, right = st.columns([1, 2, 1])
    machine_id = left.selectbox("Machine", list(plant.machines), key="trend_machine")
    machine = plant.machine(machine_id)
    numeric = [n for n, t in machine.tags.items()
               if not t.is_text and not t.enum and t.modbus.type != "bool" and n != "alarm_code"]
    tags = middle.multiselect("Tags", numeric, default=numeric[:2], key=f"trend_tags_{machine_id}")
    minutes = right.slider("Minutes", 1, 120, 15, key="trend_minutes")
    if not tags:
        return

    async def fetch() -> dict[str, list[tuple[float, float]]]:
        got = await asyncio.gather(*(clients.mes.history(machine_id, t, minutes) for t in tags))
        return dict(zip(tags, got, strict=True))

    try:
        series = runtime.call(fetch(), timeout=20)
    except (ConnectorError, TimeoutError) as exc:
        st.warning(f"The historian did not answer: {exc}")
        return
    frames = [pd.Series({t / 60: v for t, v in samples}, name=tag) for tag, samples in series.items() if samples]
    if not frames:
        st.caption("No samples yet in this window (the simulated clock may be frozen).")
        return
    st.line_chart(pd.concat(frames, axis=1).sort_index(), x_label="simulated minutes", height=260)


def orders() -> None:
    async def fetch():
        return await asyncio.gather(clients.erp.list_work_orders(), clients.erp.list_purchase_orders())

    try:
        work_orders, purchase_orders = runtime.call(fetch(), timeout=20)
    except (ConnectorError, TimeoutError) as exc:
        st.warning(f"The ERP did not answer: {exc}")
        return
    left, right = st.columns(2)
    left.subheader("Open work orders")
    open_wo = [w for w in work_orders if w.status in ("open", "in_progress")]
    if open_wo:
        left.table([{"id": w.id, "machine": w.machine_id, "title": w.title, "priority": w.priority,
                     "status": w.status, "by": w.requested_by} for w in open_wo])
    else:
        left.caption("None.")
    right.subheader("Purchase orders on order")
    open_po = [p for p in purchase_orders if p.status == "ordered"]
    if open_po:
        right.table([{"id": p.id, "part": p.part, "qty": p.quantity, "supplier": p.supplier_name,
                      "total": f"{p.total_price:.2f}", "due": str(p.expected_delivery)} for p in open_po])
    else:
        right.caption("None.")


def sim_controls() -> None:
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
