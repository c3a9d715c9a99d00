"""KPIs: how the plant and the copilot did over the last hours, from the plant's own records."""

from __future__ import annotations

import streamlit as st

from copilot.reports import camera_defects, gather, lots_on_hold
from ui.auth import require
from ui.drift_view import drift_section
from ui.shared import get_runtime

require("kpi")
st.title("KPIs")
hours = st.select_slider("Over the last", options=[1, 4, 8, 24, 72], value=8, format_func=lambda h: f"{h} h")
runtime = get_runtime()
try:
    k = runtime.call(gather(float(hours), runtime.connectors, runtime.settings), timeout=60)
    before = runtime.call(gather(float(hours), runtime.connectors, runtime.settings, ago=float(hours)), timeout=60)
except Exception as exc:  # noqa: BLE001 - a system that does not answer is told, not a traceback
    st.error(f"The KPIs could not be gathered: {exc}")
    st.stop()

down, down_before = (sum(m.down_h for m in x.machines) for x in (k, before))
failures, failures_before = (sum(m.failures for m in x.machines) for x in (k, before))
a, b, c, d = st.columns(4)
a.metric("Unplanned downtime", f"{down:.1f} h", delta=f"{down - down_before:+.1f} h", delta_color="inverse",
         help=f"against the {hours} h before")
b.metric("Failures", failures, delta=failures - failures_before, delta_color="inverse",
         help=f"against the {hours} h before")
c.metric("MTTR", f"{k.mttr_h:.1f} h" if k.mttr_h is not None else "–")
d.metric("Stockouts", len(k.stock.stockouts), help=", ".join(k.stock.stockouts) or None)

st.subheader("Machines")
st.bar_chart({"running h": {m.machine_id: m.running_h for m in k.machines},
              "down h": {m.machine_id: m.down_h for m in k.machines}}, stack=True)
st.subheader("Quality per line")
st.dataframe([{"line": q.line_id, "first-pass yield": f"{q.first_pass_yield:.1%}" if q.first_pass_yield is not None
               else "–", "good": q.good, "rejected": q.rejects} for q in k.lines], hide_index=True)
st.subheader("OEE")
if k.oee.machines:
    earlier_oee = {o.name: o.oee for o in before.oee.lines}
    for column, o in zip(st.columns(len(k.oee.lines)), k.oee.lines, strict=True):
        was = earlier_oee.get(o.name)
        column.metric(f"OEE {o.name}", f"{o.oee:.1%}" if o.oee is not None else "–",
                      delta=f"{(o.oee - was) * 100:+.1f} points" if o.oee is not None and was is not None else None,
                      help=f"against the {hours} h before")

    def pct(value: float | None) -> str:
        """A factor as a percentage, a dash when unknown."""
        return f"{value:.1%}" if value is not None else "–"

    st.dataframe([{"": o.name, "OEE": pct(o.oee), "availability": pct(o.availability),
                   "performance": pct(o.performance), "quality": pct(o.quality), "good": o.good, "made": o.total}
                  for o in [*k.oee.lines, *k.oee.machines]], hide_index=True)
    st.caption("Availability: running over running plus unplanned downtime (a stop is planned); performance: what "
               "was made against the machine's ideal rate (the plant file's ideal_rate_per_h) over its running "
               "time; quality: good over all made.")
else:
    st.caption("No machine has an ideal rate (ideal_rate_per_h in the plant file) and a count of its output.")
st.subheader("Defects the cameras found")
try:
    found = runtime.call(camera_defects(float(hours), runtime.connectors), timeout=60)
except Exception as exc:  # noqa: BLE001 - a system that does not answer is told, not a traceback
    st.warning(f"The camera inspections could not be read: {exc}")
    found = []
if found:
    classes = sorted({name for t in found for name in t.by_class})
    st.dataframe([{"machine": t.machine_id, "line": t.line_id, "lot": t.material_lot or "–", "inspected": t.inspected,
                   "defective": f"{t.defect_rate:.1%}", **{name: t.by_class.get(name, 0) for name in classes}}
                  for t in found], hide_index=True)
else:
    st.caption("No camera inspection in this window (`plant-copilot monitor inspect` records them).")
st.subheader("Material lots on hold")
try:
    on_hold = runtime.call(lots_on_hold(runtime.connectors), timeout=60)
except Exception as exc:  # noqa: BLE001 - a system that does not answer is told, not a traceback
    st.warning(f"The lots on hold could not be read: {exc}")
    on_hold = []
if on_hold:
    st.dataframe([{"lot": h.lot, "material": h.material, "why": h.reason, "held by": h.held_by or "–",
                   "since": f"{h.held_at:%Y-%m-%d %H:%M} UTC" if h.held_at else "–"} for h in on_hold], hide_index=True)
else:
    st.caption("No material lot is on hold: the MES issues every lot.")
st.subheader("The copilot and the monitor")
acts, mon = k.actions, k.monitor
st.bar_chart({"count": {"proposed by people": acts.proposed.get("people", 0),
                        "proposed by the monitor": acts.proposed.get("monitor", 0), "approved": acts.approved,
                        "rejected": acts.rejected, "executed": acts.executed}})
wait = f"{acts.waiting_h_median * 60:.0f} min" if acts.waiting_h_median is not None else "–"
st.caption(f"Median wait for sign-off: {wait}. Work orders: {k.orders_opened} opened, {k.orders_done} done. "
           f"Monitor: {mon.raised} alerts, {mon.cleared_by_itself} cleared by themselves, {mon.confirmed} judged real "
           f"and {mon.false_alarms} false alarms by people"
           + (f" (precision {mon.precision:.0%})" if mon.precision is not None else "")
           + f". Parts at or below their reorder point: {len(k.stock.below_reorder)}.")
st.subheader("Alarms (ISA-18.2)")
alarms = k.alarms
if alarms is None:
    st.caption("The PLCs' servers keep no alarm journal (OPC UA Alarms & Conditions): no alarm figures.")
else:
    a, b, c, d = st.columns(4)
    a.metric("Alarms per 10 min", f"{alarms.rate_per_10min:.1f}",
             help=f"per operator, on average; {alarms.peak_per_10min:g} at the busiest (ISA-18.2: about 1 is "
                  "manageable, more than 10 is a flood)")
    b.metric("Floods", len(alarms.floods), help=f"{alarms.flood_share:.0%} of the time in a flood")
    c.metric("Chattering / fleeting", f"{len(alarms.chattering)} / {len(alarms.fleeting)}",
             help="raised 3 times within 60 s / cleared within 5 s")
    d.metric("Standing (stale)", f"{len(alarms.standing)} ({len(alarms.stale)})",
             help="active now (and for 24 hours or more)")
    for flood in alarms.floods:
        st.caption(f"Flood {flood.start:%H:%M}-{flood.end:%H:%M} UTC: {flood.alarms} alarms, set off by "
                   f"{flood.first[0]} {flood.first[1]}")
    if alarms.top_ten:
        st.caption(f"The most frequent alarms ({alarms.top_ten_share:.0%} of all):")
        st.dataframe([{"machine": f.machine_id, "alarm": f.condition, "raised": f.count} for f in alarms.top_ten],
                     hide_index=True)

st.subheader("The twin's health")
twin = k.twin
if twin.measured:
    a, b, c = st.columns(3)
    a.metric("Changes measured", twin.measured, help="changes that ran with a dry run, set against what the PLC read")
    b.metric("Mean error", f"{twin.mean_error:.1%} of range")
    c.metric("Worst error", f"{twin.worst_error:.1%} of range")
    if twin.drifting:
        st.warning(f"The twin drifts from the plant (mean error above {twin.drift:.0%}): fit it again with "
                   "`plant-copilot twin fit`.")
else:
    st.caption("No change has yet been measured against its dry run (measured once its 30 minutes have passed).")

drift_section(runtime.settings)
st.subheader("Shift handover")
if st.button("Make the shift report", icon=":material/summarize:"):
    import tempfile
    from pathlib import Path

    from copilot.reports import facts, write_pdf

    text = runtime.call(facts(float(hours), runtime.connectors, runtime.settings), timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = write_pdf(text, Path(tmp) / "shift.pdf").read_bytes()
    st.markdown(text)
    st.download_button("Download PDF", pdf, file_name="shift-report.pdf", mime="application/pdf",
                       icon=":material/download:")
    st.download_button("Download Markdown", text, file_name="shift-report.md", mime="text/markdown")
