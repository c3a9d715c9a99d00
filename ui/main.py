"""The Streamlit app: ``streamlit run ui/app.py`` (or ``plant-copilot demo``).

Signed out, the only page is the sign-in form. Signed in, ``st.navigation`` gets only
the pages the user's role may use (ui/auth.py), so the others are neither listed nor
reachable by URL. The app holds no business logic: the pages call the copilot's public API (the Copilot of
copilot/service.py, its view of the plant in copilot/reports/plant_view.py) and the evals' entry points.
"""

from __future__ import annotations

import streamlit as st

from copilot import AlertStatus
from ui.auth import PAGES, current_user, pages_for, sign_in_page, sign_out
from ui.shared import alerts_store

st.set_page_config(page_title="Plant Copilot", page_icon=":material/precision_manufacturing:", layout="wide")

user = current_user()
if user is None:
    st.navigation([st.Page(sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in")],
                  position="hidden").run()
else:
    with st.sidebar:
        st.markdown(f"**{user.display_name}**  \n{user.role.value} · `{user.username}`")
        if user.role in next(p for p in PAGES if p.url_path == "alerts").roles:
            if count := len(alerts_store().listed(AlertStatus.open)):
                st.markdown(f":red-badge[:material/notifications_active: {count} open alert{'s' * (count > 1)}]")
        if st.button("Sign out", icon=":material/logout:"):
            sign_out()
            st.rerun()
    pages = [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path,
                     visibility="visible" if p.listed else "hidden") for p in pages_for(user.role)]
    st.navigation(pages).run()
