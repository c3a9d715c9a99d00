"""Alerts: what the monitor found on the live plant (or in the copilot's own figures drifting), with its evidence;
a person closes one with a note, and judges any real or false."""

from __future__ import annotations

import time

import streamlit as st

from copilot import Alert, AlertStatus, AlertVerdict, Answer, Replied
from ui.auth import require
from ui.shared import copilot_ready, get_runtime

me = require("alerts")
st.title("Alerts")
st.caption("Raised by the monitor from the live plant. Its work orders and orders are in the chat of each "
           "alert's conversation; what needs sign-off waits on the Approvals page.")
copilot = copilot_ready()
runtime = get_runtime()


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _judge(alert: Alert, verdict: AlertVerdict) -> None:
    """Judge the alert as the signed-in person; a refusal is one line."""
    try:
        runtime.sync(copilot.judge_alert, alert.alert_id, me, verdict)
    except (LookupError, PermissionError) as exc:
        st.error(str(exc))
    else:
        st.rerun()


def _judged(alert: Alert) -> str:
    if alert.verdict is None:
        return ""
    said = "real" if alert.verdict is AlertVerdict.confirmed else "false alarm"
    return f"{said} ({alert.judged_by}, {_when(alert.judged_at)})" if alert.judged_at else said


def _found(thread_id: str) -> str | None:
    """The answer of the procedure the alert started (the ranked causes of a defect rise, the work it opened)."""
    transcript = runtime.call(copilot.transcript(thread_id))
    answers = [s.text for e in transcript.entries if isinstance(e, Replied) for s in e.steps if isinstance(s, Answer)]
    return answers[-1] if answers else None


open_alerts = runtime.sync(copilot.alerts, AlertStatus.open)
if not open_alerts:
    st.info("No open alerts.", icon=":material/check_circle:")
for alert in open_alerts:
    with st.container(border=True, key=f"alert-{alert.alert_id}"):
        st.markdown(f"**{alert.machine_id} — {alert.cause}**  \n{alert.what}")
        st.caption(f"opened {_when(alert.opened_at)} by the monitor · {alert.alert_id}")
        st.json(alert.evidence, expanded=False)
        if found := _found(alert.thread_id):
            st.markdown(f"**What its procedure found**\n\n{found}")
        real, false, said = st.columns([1, 1, 3])
        if real.button("Judge real", key=f"real-{alert.alert_id}", icon=":material/thumb_up:"):
            _judge(alert, AlertVerdict.confirmed)
        if false.button("Judge false", key=f"false-{alert.alert_id}", icon=":material/thumb_down:"):
            _judge(alert, AlertVerdict.false_alarm)
        said.caption(f"judged {_judged(alert)}" if alert.verdict else "not judged yet")
        with st.form(f"close-{alert.alert_id}", clear_on_submit=True):
            note = st.text_input("Note", key=f"note-{alert.alert_id}", placeholder="what you found or did")
            verdict = st.radio("It was", list(AlertVerdict), key=f"verdict-{alert.alert_id}", horizontal=True,
                               format_func=lambda v: (
                                   "a real problem" if v is AlertVerdict.confirmed else "a false alarm"))
            if st.form_submit_button("Close alert", icon=":material/task_alt:"):
                try:
                    runtime.sync(copilot.close_alert, alert.alert_id, me, note, verdict)
                except (LookupError, ValueError) as exc:
                    st.error(str(exc))
                else:
                    st.rerun()

ended = [a for a in runtime.sync(copilot.alerts, None, limit=30) if a.status is not AlertStatus.open]
if ended:
    st.subheader("Recently ended")
    st.dataframe([{"machine": a.machine_id, "cause": a.cause, "status": str(a.status), "opened": _when(a.opened_at),
                   "ended": _when(a.closed_at) if a.closed_at else "", "by": a.closed_by or "monitor",
                   "kind": str(a.kind), "judged": _judged(a), "note": a.note or "",
                   "re-inspection": (_found(a.thread_id) or "") if a.rechecked_at else ""} for a in ended],
                 hide_index=True)
    with st.form("judge-ended", clear_on_submit=True):
        chosen = st.selectbox("Judge an ended alert", ended, format_func=lambda a: (
            f"{a.alert_id} {a.machine_id} {a.cause} ({_judged(a) or 'not judged'})"))
        verdict = st.radio("It was", list(AlertVerdict), key="verdict-ended", horizontal=True,
                           format_func=lambda v: "a real problem" if v is AlertVerdict.confirmed else "a false alarm")
        if st.form_submit_button("Judge", icon=":material/gavel:") and chosen is not None:
            _judge(chosen, verdict)
