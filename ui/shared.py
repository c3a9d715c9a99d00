"""The configuration and the one runtime every session shares, and the progress shown while it opens.

``st.cache_resource`` reads the configuration once and keeps a single ``AppRuntime`` per server process
(a test that changes the environment clears both). Pages that need
the copilot call ``copilot_ready()``: while manuals are ingested and the model loads,
it shows a status box that follows the runtime's progress, then returns.
"""

from __future__ import annotations

import time
from concurrent import futures

import streamlit as st

from copilot import Configuration, Copilot
from copilot.llm import LLMSettings
from copilot.monitor import Alerts
from ui.runtime import AppRuntime

OPEN_TIMEOUT_S = 1800.0  # the local model's first load and warm-up on 2 cores


def _make_model(settings: LLMSettings):
    from copilot.llm import make_chat_model

    return make_chat_model(settings)


def _release(runtime: AppRuntime) -> None:
    runtime.close()


@st.cache_resource(show_spinner=False)
def app_configuration() -> Configuration:
    """The process's configuration, read from the environment the first time a page needs it."""
    return Configuration.from_environment()


@st.cache_resource(show_spinner="Connecting to the plant…", on_release=_release)
def get_runtime() -> AppRuntime:
    """The process's runtime: the copilot, the manuals and the plant clients, as configured."""
    config = app_configuration()
    return AppRuntime(lambda: _make_model(config.llm), connectors=config.connectors, settings=config.copilot,
                      knowledge=config.knowledge, twin=config.twin, manuals_dir=config.knowledge.manuals,
                      one_turn_at_a_time=config.llm.provider == "local")


@st.cache_resource(show_spinner=False)
def alerts_store() -> Alerts:
    """The monitor's alerts (the state database, shared with the monitor process)."""
    return Alerts(app_configuration().copilot.state_db)


def copilot_ready() -> Copilot:
    """The opened copilot, showing progress until it is; a failure to open is shown and stops the page. The
    sidebar says which release it runs as."""
    runtime = get_runtime()
    if not runtime.ready.done():
        with st.status("Starting the copilot…", expanded=True) as status:
            bar = st.progress(0.0)
            line = st.empty()
            deadline = time.monotonic() + OPEN_TIMEOUT_S
            while not futures.wait([runtime.ready], timeout=0.5).done:
                if time.monotonic() > deadline:
                    status.update(label="The copilot did not start in time", state="error")
                    st.stop()
                p = runtime.progress
                bar.progress(p.fraction if p.fraction is not None else min(p.elapsed_s / 600.0, 0.95))
                line.caption(f"{p.phase} — {p.elapsed_s:.0f} s")
            status.update(label="Copilot ready", state="complete", expanded=False)
    error = runtime.ready.exception() if runtime.ready.done() and not runtime.ready.cancelled() else None
    if error is not None:
        st.error(f"The copilot could not start: {error}")
        if st.button("Try again", icon=":material/refresh:"):
            get_runtime.clear()  # closes the failed runtime; the next run opens a new one
            st.rerun()
        st.stop()
    copilot = runtime.copilot
    st.sidebar.caption(f"release `{copilot.release[:12]}`" if copilot.release else
                       "unreleased: no promoted release runs")
    return copilot
