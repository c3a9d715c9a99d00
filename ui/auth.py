"""Who is signed in, which pages each role may open, and which roles may drive the simulator.

The signed-in ``User`` (checked against the bcrypt hashes in the users file) is the
requester or approver the copilot, the policy engine and the audit log see; the app
never takes a name from anything else. Pages a role may not use are not given to
``st.navigation`` at all, so they are neither listed nor reachable by URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from copilot.settings import CopilotSettings
from copilot.users import User, UserDirectory
from policies.model import Role

UI = Path(__file__).resolve().parent
_USER_KEY = "user"


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
    PageSpec("pages/audit.py", "Audit", ":material/receipt_long:", "audit",
             frozenset({Role.supervisor, Role.engineer, Role.admin})),
    PageSpec("pages/evals.py", "Evals", ":material/science:", "evals", frozenset({Role.engineer, Role.admin})),
    PageSpec("pages/passage.py", "Manual passage", ":material/menu_book:", "passage", ALL, listed=False),
)
SIMULATOR_CONTROL = frozenset({Role.engineer, Role.admin})  # may inject and clear faults on the Overview page


def pages_for(role: Role) -> list[PageSpec]:
    """The pages ``role`` may use whose script exists (the Evals page lands separately)."""
    return [p for p in PAGES if role in p.roles and (UI / p.script).exists()]


@st.cache_resource(show_spinner=False)
def directory(path: str) -> UserDirectory:
    return UserDirectory.load(path)


def current_user() -> User | None:
    return st.session_state.get(_USER_KEY)


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
    if submitted:
        user = directory(str(CopilotSettings().users_file)).authenticate(username.strip(), password)
        if user is None:
            st.error("Wrong user name or password.")
            return
        st.session_state[_USER_KEY] = user
        area.empty()  # no faded form under the first page while the copilot starts
        st.rerun()


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
