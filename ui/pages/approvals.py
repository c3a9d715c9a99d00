"""Approvals: the queue of actions waiting for sign-off; approve or reject with a comment.

The signed-in supervisor is the approver; the queue and the policy decide whether the
vote counts (not one's own action, the required role, two people for critical ones).
When an action is decided the copilot resumes its conversation in the same call, so it
leaves the queue here and the operator's chat moves on.
"""

from __future__ import annotations

import json
import time

import pandas as pd
import streamlit as st

from copilot import (
    ApprovalRefused,
    ApprovalStatus,
    NotPending,
    PendingAction,
    Result,
    UnknownAction,
    Verdict,
)
from ui.auth import require
from ui.shared import copilot_ready, get_runtime

REFRESH_S = 5.0
DECIDE_TIMEOUT_S = 120.0  # a local model may take minutes to finish the resumed run: it goes on in the background

user = require("approvals")
st.title("Approvals")
copilot = copilot_ready()
runtime = get_runtime()


def age(seconds: float) -> str:
    """A wait of ``seconds`` in the unit a person reads it in: seconds, minutes or hours."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def decide(action: PendingAction, verdict: Verdict, comment: str) -> None:
    """Record the vote; the outcome is shown after the rerun that drops a decided item from the queue."""
    try:
        decided, steps = runtime.call(runtime.decide(verdict, action.action_id, user, comment),
                                      timeout=DECIDE_TIMEOUT_S)
    except (ApprovalRefused, NotPending, UnknownAction) as exc:
        st.session_state["approvals_notice"] = ("error", str(exc))
        return
    except TimeoutError:
        st.session_state["approvals_notice"] = (
            "info", f"Your {verdict} of {action.change} is being processed; the conversation goes on "
                    "in the background.")
        return
    done = [s for s in steps if isinstance(s, Result) and s.action_id == action.action_id]
    outcome = f" — {done[0].tool}: {done[0].status}" if done else ""
    if decided.status is ApprovalStatus.pending:
        message = f"Approved {action.change}: {len(decided.approvers)}/{decided.decision.approvers} approvals so far."
    else:
        message = f"{decided.status.capitalize()}: {action.change}{outcome}. The conversation has resumed."
    st.session_state["approvals_notice"] = ("success", message)


def dry_run(action: PendingAction) -> None:
    """The twin's prediction beside the current trend: where the readings that move most would go."""
    prediction = action.prediction
    if prediction is None:
        return
    st.markdown(f"**Dry run on the twin:** {prediction.line}")
    if not prediction.modelled:
        return

    def moved(reading: str) -> float:
        course = prediction.courses[reading]
        return abs(course[-1][1] - course[0][1]) / max(abs(course[0][1]), 1e-9)

    shown = sorted(prediction.courses, key=moved, reverse=True)[:3]
    for column, reading in zip(st.columns(len(shown) or 1), shown, strict=False):
        try:
            trend = runtime.call(copilot.history(action.facts["machine_id"], reading, prediction.minutes), timeout=10)
        except Exception:  # noqa: BLE001 - no trend is shown rather than no card
            trend = []
        now = trend[-1][0] if trend else 0.0
        frame = pd.concat([pd.Series({(t - now) / 60: v for t, v in trend}, name="until now"),
                           pd.Series(dict(prediction.courses[reading]), name="predicted")], axis=1).sort_index()
        column.caption(f"{reading} ({prediction.units.get(reading, '')}), minutes from now")
        column.line_chart(frame, height=160)


def show(action: PendingAction) -> None:
    """One waiting action's card (requester, risk, wait, approvals, reasons, dry run) with its vote buttons."""
    d = action.decision
    with st.container(border=True, key=f"action-{action.action_id}"):
        st.markdown(f"#### {action.tool}: {action.change}")
        cols = st.columns(4)
        cols[0].markdown(f"**Requested by**  \n{action.requester} ({action.requester_role}), {action.via.label}")
        cols[1].markdown(f"**Risk**  \n{action.risk}")
        cols[2].markdown(f"**Waiting**  \n{age(action.age_s)}")
        so_far = ", ".join(action.approvers) or "nobody yet"
        cols[3].markdown(f"**Approvals**  \n{len(action.approvers)} of {d.approvers} ({so_far})")
        st.markdown(f"**Why it needs sign-off:** {'; '.join(d.reasons) or 'policy default'}"
                    + (f" — rule *{d.rule}*" if d.rule else "") + (f" — owner **{d.owner}**" if d.owner else ""))
        dry_run(action)
        expires = time.strftime("%Y-%m-%d %H:%M", time.localtime(action.expires_at))
        st.caption(f"Approvers must be: {' or '.join(d.roles)} · expires {expires} · action `{action.action_id}`")
        facts = {k: v for k, v in action.facts.items() if v not in (None, "", [], {})}
        with st.expander("Exact arguments and facts"):
            st.code(json.dumps({"arguments": action.arguments, "facts": facts}, indent=1, ensure_ascii=False,
                               default=str), language="json")
        comment = st.text_input("Comment", key=f"comment-{action.action_id}",
                                placeholder="why (recorded in the audit log)")
        left, right, _ = st.columns([1, 1, 4])
        if left.button("Approve", key=f"approve-{action.action_id}", type="primary", icon=":material/check:"):
            with st.spinner("Recording the approval and resuming the conversation…"):
                decide(action, Verdict.approve, comment)
            st.rerun()
        if right.button("Reject", key=f"reject-{action.action_id}", icon=":material/close:"):
            with st.spinner("Recording the rejection…"):
                decide(action, Verdict.reject, comment)
            st.rerun()


st.caption(f"Signed in as {user.display_name} ({user.role.value}). You cannot approve your own requests.")
if notice := st.session_state.pop("approvals_notice", None):
    kind, text = notice
    getattr(st, kind)(text)

pending = runtime.sync(copilot.pending)


@st.fragment(run_every=REFRESH_S)
def watch(shown: list[str]) -> None:
    """Redraw the queue when an action arrives or is decided elsewhere (typed comments are kept)."""
    if [a.action_id for a in runtime.sync(copilot.pending)] != shown:
        st.rerun()


watch([a.action_id for a in pending])
if not pending:
    st.success("No actions wait for approval.")
for item in pending:
    show(item)

with st.expander("Recently decided"):
    decided = runtime.sync(copilot.decided, limit=15)
    if decided:
        st.table([{"action": a.action_id, "tool": a.tool, "change": a.change, "status": a.status,
                   "requester": a.requester, "approvers": ", ".join(a.approvers), "owner": a.decision.owner or "",
                   "decided": time.strftime("%H:%M:%S", time.localtime(a.decided_at or 0))} for a in decided])
    else:
        st.caption("Nothing decided yet.")
