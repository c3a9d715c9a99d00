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
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from copilot.approvals import PendingAction
from copilot.service import MAX_REQUEST_CHARS, ConversationBusy, RequestRejected, Step
from copilot.status import Status
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


def load(thread: str) -> tuple[list[BaseMessage], list[PendingAction]]:
    return (runtime.call(copilot.messages(thread)), runtime.sync(copilot.actions_of, thread))


def unfinished(messages: list[BaseMessage]) -> bool:
    """The run stopped before its answer: waiting for a decision, or resuming after one."""
    last = messages[-1] if messages else None
    return last is not None and not (isinstance(last, AIMessage) and not last.tool_calls)


def draw(messages: list[BaseMessage], actions: list[PendingAction]) -> None:
    by_id = {a.action_id: a for a in actions}
    turn: list[Step] = []

    def flush() -> None:
        if not turn:
            return
        with st.chat_message("assistant"):
            view = TurnView()
            for step in turn:
                view.show(step)
                if step.kind == "proposal" and (a := by_id.get(step.action_id or "")) and a.status == "pending":
                    view.show(Step(kind="waiting", tool=a.tool, change=a.change, action_id=a.action_id,
                                   decision=a.decision.model_dump(mode="json"), status=Status.waiting))
                    approved = ", ".join(a.approvers)
                    who = f" ({approved})" if approved else ""
                    st.caption(f"{len(a.approvers)}/{a.decision.approvers} approvals{who}")
            view.finish()
        turn.clear()

    for message in messages:
        if isinstance(message, HumanMessage):
            flush()
            st.chat_message("user").markdown(str(message.content))
        else:
            turn.extend(copilot.steps_of(message))
    flush()


def signature(messages: list[BaseMessage], actions: list[PendingAction]) -> tuple:
    """What changes when a conversation moves: its messages, its actions' statuses and votes."""
    return len(messages), tuple((a.action_id, a.status, len(a.votes)) for a in actions)


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
    for conv in runtime.sync(copilot.conversations.of, user.username):
        title = conv.title or conv.thread_id
        label = title if len(title) <= 60 else title[:59] + "…"
        if st.button(label, key=f"conv-{conv.thread_id}", width="stretch",
                     type="primary" if conv.thread_id == thread_id else "secondary",
                     help=time.strftime("%Y-%m-%d %H:%M", time.localtime(conv.updated_at))):
            st.session_state["thread_id"] = conv.thread_id
            st.rerun()

st.caption("Ask about a machine, a defect, stock or a setpoint. Each step the copilot takes is shown; "
           "changes to the plant wait for a supervisor's sign-off.")

busy = False
if thread_id:
    messages, actions = load(thread_id)
    draw(messages, actions)
    busy = any(a.status == "pending" for a in actions)
    if busy or unfinished(messages):  # waiting for sign-off, resuming after it, or a turn still running
        watch(thread_id, signature(messages, actions), busy)

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
        except (ConversationBusy, RequestRejected, TimeoutError) as exc:
            st.session_state["chat_notice"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a failing model or plant is told to the operator, not a traceback
            st.session_state["chat_notice"] = f"The copilot could not finish: {exc}"
        view.finish()
    st.rerun()
