"""Who is signed in, which pages each role may open, and which roles may drive the simulator.

The signed-in ``User`` (checked against the bcrypt hashes in the users file, with the
sign-in throttled per name and address) is the requester or approver the copilot, the
policy engine and the audit log see; the app never takes a name from anything else.
The user is read again from the users file on every page run, so a removed user is
signed out and a changed role applies at once. A signed, expiring cookie keeps the
session across a browser refresh. Pages a role may not use are not given to
``st.navigation`` at all, so they are neither listed nor reachable by URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from copilot import RecordedSignIn, Role
from copilot.identity import SignInRefused, User, session_tokens
from ui.shared import app_configuration

UI = Path(__file__).resolve().parent
_USER_KEY = "user"
_COOKIE = "plant_copilot_session"
_SET_COOKIE = "set_session_cookie"


@dataclass(frozen=True)
class PageSpec:
    """A page of the app and the roles that may open it."""

    script: str  # relative to ui/
    title: str
    icon: str
    url_path: str
    roles: frozenset[Role]
    listed: bool = True  # False: reachable by link (a citation), not shown in the menu


ALL = frozenset(Role)
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/chat.py", "Plant chat", ":material/chat:", "chat", ALL),
    PageSpec("pages/approvals.py", "Approvals", ":material/approval:", "approvals",
             frozenset({Role.supervisor, Role.admin})),
    PageSpec("pages/overview.py", "Overview", ":material/factory:", "overview", ALL),
    PageSpec("pages/alerts.py", "Alerts", ":material/notifications_active:", "alerts",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/kpi.py", "KPIs", ":material/monitoring:", "kpi",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/audit.py", "Audit", ":material/receipt_long:", "audit",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/evals.py", "Evals", ":material/science:", "evals", frozenset({Role.engineer, Role.admin})),
    PageSpec("pages/passage.py", "Manual passage", ":material/menu_book:", "passage", ALL, listed=False),
)
SIMULATOR_CONTROL = frozenset({Role.engineer, Role.admin})  # may inject and clear faults on the Overview page


def pages_for(role: Role) -> list[PageSpec]:
    """The pages ``role`` may use whose script exists (the Evals page lands separately)."""
    return [p for p in PAGES if role in p.roles and (UI / p.script).exists()]


@st.cache_resource(show_spinner=False, on_release=RecordedSignIn.close)
def sign_in_service() -> RecordedSignIn:
    """The app's one sign-in service, over the configured users file and state database; refusals audited."""
    return RecordedSignIn(app_configuration().copilot)


@st.cache_resource(show_spinner=False)
def _session_key() -> bytes:
    settings = app_configuration().copilot
    return session_tokens.session_key(settings.session_key, settings.data_dir, database_url=settings.database_url)


def current_user() -> User | None:
    """The signed-in user as the users file has them now (None when signed out or removed from the file);
    a new browser session with a valid session cookie is signed in again."""
    users = sign_in_service().users.current()
    user = st.session_state.get(_USER_KEY)
    if user is not None:
        user = users.person(user.username)
    elif not st.session_state.get("signed_out"):
        user = session_tokens.holder(_session_key(), (st.context.cookies or {}).get(_COOKIE), users)
    if user is None:
        st.session_state.pop(_USER_KEY, None)
        return None
    st.session_state[_USER_KEY] = user
    if st.session_state.pop(_SET_COOKIE, False):
        _cookie(session_tokens.issue(_session_key(), user.username), session_tokens.SESSION_HOURS * 3600)
    return user


def _cookie(value: str, max_age_s: float) -> None:
    """Set the session cookie in the browser (Streamlit sets none itself; the component runs in the app's origin)."""
    components.html(f"<script>window.parent.document.cookie = '{_COOKIE}={value}; path=/; "
                    f"max-age={int(max_age_s)}; SameSite=Strict';</script>", height=0)


def require(url_path: str) -> User:
    """The signed-in user if their role may open the page at ``url_path``; otherwise the page stops (a
    second wall behind the navigation, should a page be reached some other way)."""
    user = current_user()
    spec = next(p for p in PAGES if p.url_path == url_path)
    if user is None or user.role not in spec.roles:
        st.error("You may not open this page.")
        st.stop()
    return user


def sign_in_page() -> None:
    """The sign-in form: a wrong name or password says so and signs no one in."""
    area = st.empty()
    with area.container():
        st.title("Plant Copilot")
        st.caption("Sign in with your plant account.")
        with st.form("sign_in"):
            username = st.text_input("User name", key="sign_in_user")
            password = st.text_input("Password", type="password", key="sign_in_password")
            submitted = st.form_submit_button("Sign in", type="primary")
    if st.session_state.pop("signed_out", False):
        _cookie("", 0)
    if submitted:
        try:
            user = sign_in_service().check(username, password, address=st.context.ip_address or "unknown")
        except SignInRefused as exc:
            st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        st.session_state[_USER_KEY] = user
        st.session_state[_SET_COOKIE] = True
        area.empty()  # no faded form under the first page while the copilot starts
        st.rerun()


def sign_out() -> None:
    """Forget everything of this browser session, the signed-in user included, and mark it signed out."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["signed_out"] = True  # the sign-in page clears the cookie
