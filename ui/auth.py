"""Who is signed in, which pages each role may open, and which roles may drive the simulator.

The signed-in ``User`` (checked against the bcrypt hashes in the users file, with the
sign-in throttled per name and address) is the requester or approver the copilot, the
policy engine and the audit log see; the app never takes a name from anything else.
The user is read again from the users file on every page run, so a removed user is
signed out and a changed role applies at once. A session is kept on the server
(copilot/identity/sessions.py): signing out ends it in every tab, and its HttpOnly cookie (ui/session_cookie.py)
keeps it across a browser refresh until then, for one shift at most. Pages a role may not use are not given to
``st.navigation`` at all, so they are neither listed nor reachable by URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from copilot import RecordedSignIn, Role
from copilot.identity import AppSessions, SecretKind, SignInRefused, User
from ui.session_cookie import CLOSE_PATH, COOKIE, OPEN_PATH
from ui.shared import app_configuration

UI = Path(__file__).resolve().parent
_USER_KEY = "user"
_SECRET = "session"  # (SecretKind, secret) of this tab's server-side session
_HANDOFF = "session_handoff"  # the one-time code the browser trades for the cookie
_SIGNED_OUT = "signed_out"


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
    PageSpec("pages/forms.py", "Forms", ":material/assignment:", "forms", ALL),
    PageSpec("pages/approvals.py", "Approvals", ":material/approval:", "approvals",
             frozenset({Role.supervisor, Role.admin, Role.planner})),
    PageSpec("pages/overview.py", "Overview", ":material/factory:", "overview", ALL),
    PageSpec("pages/alerts.py", "Alerts", ":material/notifications_active:", "alerts",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/kpi.py", "KPIs", ":material/monitoring:", "kpi",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/orders.py", "Orders", ":material/conveyor_belt:", "orders",
             frozenset({Role.supervisor, Role.engineer, Role.admin, Role.planner})),
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


@st.cache_resource(show_spinner=False, on_release=AppSessions.close)
def app_sessions() -> AppSessions:
    """The app's server-side sessions (the state database)."""
    return AppSessions.of(app_configuration().copilot)


def _held() -> tuple[SecretKind, str] | None:
    """The secret this browser tab holds: the page secret of a sign-in in this tab, else the session cookie."""
    held = st.session_state.get(_SECRET)
    if held is None and (cookie := (st.context.cookies or {}).get(COOKIE)):
        held = (SecretKind.cookie, cookie)
    return held


def current_user() -> User | None:
    """The signed-in user as the users file has them now, if this tab's session is live (not ended by signing
    out anywhere, not expired); None otherwise. A new tab with the session cookie is signed in again."""
    held = _held()
    users = sign_in_service().users.current()
    user = app_sessions().holder(held[1], users, kind=held[0]) if held else None
    if user is None:
        for key in (_USER_KEY, _SECRET, _HANDOFF):
            st.session_state.pop(key, None)
        return None
    st.session_state[_USER_KEY], st.session_state[_SECRET] = user, held
    if (code := st.session_state.pop(_HANDOFF, None)) and st.context.headers.get("Host"):
        _go(f"{OPEN_PATH}?code={code}")  # over HTTP: the route sets the cookie, then the app opens again
        st.caption("Signing in…")
        st.stop()
    return user


def _go(path: str) -> None:
    """Send the browser to one of the app's own routes (a script of the app's own, in its page)."""
    st.html(f"<script>window.location.replace({json.dumps(path)});</script>", unsafe_allow_javascript=True)


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
    if st.session_state.pop(_SIGNED_OUT, False) and st.context.headers.get("Host"):
        _go(CLOSE_PATH)  # the cookie, worthless since its session ended, leaves the browser too
    if submitted:
        try:
            user = sign_in_service().check(username, password, address=st.context.ip_address or "unknown")
        except SignInRefused as exc:
            st.error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        opened = app_sessions().open(user.username)
        st.session_state[_USER_KEY], st.session_state[_SECRET] = user, (SecretKind.page, opened.page_secret)
        st.session_state[_HANDOFF] = opened.handoff_code
        area.empty()  # no faded form under the first page while the copilot starts
        st.rerun()


def sign_out() -> None:
    """End this tab's session on the server (every tab and cookie of it is signed out) and forget everything of
    this browser session."""
    held = _held()
    if held is not None:
        app_sessions().end(held[1])
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[_SIGNED_OUT] = True  # the sign-in page clears the cookie
