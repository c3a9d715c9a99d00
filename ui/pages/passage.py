"""The passage behind a manual citation: ``?id=<chunk id>``, linked from the chat's search results."""

from __future__ import annotations

import streamlit as st

from ui.auth import require
from ui.shared import copilot_ready, get_runtime

require("passage")
st.title("Manual passage")
copilot = copilot_ready()  # the manuals store opens with the copilot
chunk_id = st.query_params.get("id", "")
if not chunk_id:
    st.info("Open a citation from the chat to see its passage here.")
    st.stop()
passage = get_runtime().sync(copilot.passage, chunk_id)
if passage is None:
    st.error(f"No passage with id {chunk_id!r} in the manuals.")
    st.stop()
st.subheader(passage.cite())
model = f" · {passage.machine_model}" if passage.machine_model else ""
st.caption(f"{passage.document} · chunk `{passage.chunk_id}`{model}")
with st.container(border=True):
    st.markdown(passage.text)
st.page_link("pages/chat.py", label="Back to the chat", icon=":material/arrow_back:")
