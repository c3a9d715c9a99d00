"""The app's server: ``streamlit run ui/app.py`` (or ``plant-copilot demo``) serves the pages of ui/main.py and the
routes that set and clear the HttpOnly session cookie (ui/session_cookie.py)."""

from __future__ import annotations

import functools

import streamlit as st

from copilot import Configuration
from copilot.identity import AppSessions
from ui.session_cookie import routes


@functools.cache
def _sessions() -> AppSessions:
    return AppSessions.of(Configuration.from_environment().copilot)


app = st.App("main.py", routes=routes(_sessions))
