"""Plant chat: ask the copilot, watch each step, reopen a conversation, see sign-off decided live.

The signed-in user is the requester. A turn streams from the runtime's loop into the
page; a conversation is drawn again from the checkpointer on every rerun. While an
action of the open conversation waits (or its resumed run has not answered yet), a
fragment polls the approval queue and redraws the page when something changed, so the
operator sees a supervisor's decision and the resumed steps without asking again.
"""

from __future__ import annotations

import time
import uuid

import streamlit as st

from copilot import (
    MAX_REQUEST_CHARS,
    ApprovalStatus,
    ConversationBusy,
    PendingAction,
    Proposal,
    Replied,
    RequestRejected,
    Said,
    Transcript,
    Waiting,
)
from ui.auth import require
from ui.shared import copilot_ready, get_runtime
from ui.steps import TurnView

POLL_S = 2.0
TURN_TIMEOUT_S = 1800.0

user = require("chat")
st.title("Plant chat")
copilot = copilot_ready()
runtime = get_runtime()
thread_id: str | None = st.session_state.get("thread_id")


def load(thread: str) -> tuple[Transcript, list[PendingAction]]:
    """A conversation's transcript and its actions."""
    return (runtime.call(copilot.transcript(thread)), runtime.sync(copilot.actions_of, thread))


def draw_reply(reply: Replied, by_id: dict[str, PendingAction]) -> None:
    """One reply's steps; a proposal still waiting for sign-off shows its wait and the approvals so far."""
    with st.chat_message("assistant"):
        view = TurnView()
        for step in reply.steps:
            view.show(step)
            a = by_id.get(step.action_id) if isinstance(step, Proposal) else None
            if a is not None and a.status is ApprovalStatus.pending:
                view.show(Waiting(tool=a.tool, action_id=a.action_id, change=a.change,
                                  decision=a.decision))
                approved = ", ".join(a.approvers)
                who = f" ({approved})" if approved else ""
                st.caption(f"{len(a.approvers)}/{a.decision.approvers} approvals{who}")
        view.finish()


def draw(transcript: Transcript, actions: list[PendingAction]) -> None:
    """The whole conversation: each user message, and each reply with steps, drawn with its actions' state."""
    by_id = {a.action_id: a for a in actions}
    for entry in transcript.entries:
        match entry:
            case Said(text=text):
                st.chat_message("user").markdown(text)
            case Replied() if entry.steps:
                draw_reply(entry, by_id)


def signature(transcript: Transcript, actions: list[PendingAction]) -> tuple:
    """What changes when a conversation moves: its messages, its actions' statuses and votes."""
    return transcript.messages, tuple((a.action_id, a.status, len(a.votes)) for a in actions)


@st.fragment(run_every=POLL_S)
def watch(thread: str, seen: tuple, waiting: bool) -> None:
    """Redraw the page once the queue or the conversation moved (a decision, resumed steps, an answer)."""
    if signature(*load(thread)) != seen:
        st.rerun()
    what = "Waiting for the supervisor's decision" if waiting else "The copilot is still working on this"
    st.caption(f":material/hourglass_top: {what}… (checked {time.strftime('%H:%M:%S')})")


# -- the list of conversations ---------------------------------------------------------------------
with st.sidebar:
    st.subheader("Conversations")
    if st.button("New conversation", icon=":material/add:", width="stretch"):
        st.session_state.pop("thread_id", None)
        st.rerun()
    for conv in runtime.sync(copilot.conversations_of, user):
        title = conv.title or conv.thread_id
        label = title if len(title) <= 60 else title[:59] + "…"
        if st.button(label, key=f"conv-{conv.thread_id}", width="stretch",
                     type="primary" if conv.thread_id == thread_id else "secondary",
                     help=time.strftime("%Y-%m-%d %H:%M", time.localtime(conv.updated_at))):
            st.session_state["thread_id"] = conv.thread_id
            st.rerun()

st.caption("Ask about a machine, a defect, stock or a setpoint. Each step the copilot takes is shown; "
           "changes to the plant wait for a supervisor's sign-off.")
if copilot.model_off:
    st.info("The model is off (COPILOT_PROVIDER=none): the chat cannot understand requests, but every procedure "
            "runs from its form.")
    st.page_link("pages/forms.py", label="Open the forms", icon=":material/assignment:")


def offer_form(thread: str) -> None:
    """The form the last turn offers (the procedure asked back, or no model answered), pre-filled."""
    gave_up = st.session_state.get("gave_up") == thread
    offer = runtime.call(copilot.form_offer(thread, gave_up=gave_up))
    if offer is None:
        return
    title = next((f.title for f in runtime.sync(copilot.forms) if f.procedure == offer.procedure), None)
    st.info(f"{offer.line}." if title is None else f"{offer.line}: {title.lower()}.")
    if st.button(f"Open the {title.lower()} form" if title else "Open the forms", icon=":material/assignment:",
                 key=f"offer-{thread}"):
        st.session_state["form_offer"] = offer
        st.switch_page("pages/forms.py")


busy = False
if thread_id:
    transcript, actions = load(thread_id)
    draw(transcript, actions)
    busy = any(a.status is ApprovalStatus.pending for a in actions)
    if busy or transcript.unfinished:  # waiting for sign-off, resuming after it, or a turn still running
        watch(thread_id, signature(transcript, actions), busy)
    if not busy:
        offer_form(thread_id)

if notice := st.session_state.pop("chat_notice", None):
    st.warning(notice)
if busy:
    st.info("This conversation waits for a decision on an action. Start a new conversation to ask something else.")
question = st.chat_input("Ask the copilot…", disabled=busy, max_chars=MAX_REQUEST_CHARS)
if question:
    thread_id = thread_id or uuid.uuid4().hex
    st.session_state["thread_id"] = thread_id
    st.chat_message("user").markdown(question)
    with st.chat_message("assistant"):
        view = TurnView()
        try:
            with st.spinner("The copilot is working…"):
                for step in runtime.stream(runtime.ask(user, question, thread_id), timeout=TURN_TIMEOUT_S):
                    view.show(step)
        except TimeoutError as exc:
            st.session_state["chat_notice"], st.session_state["gave_up"] = str(exc), thread_id
        except (ConversationBusy, RequestRejected) as exc:
            st.session_state["chat_notice"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a failing model or plant is told to the operator, not a traceback
            st.session_state["chat_notice"] = f"The copilot could not finish: {exc}"
        view.finish()
    st.rerun()
