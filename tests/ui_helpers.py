"""Helpers for the app's tests: a runtime over the test simulator with a scripted model, AppTest sessions."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

from connectors.settings import ConnectorSettings
from connectors.site import REPO
from copilot.identity import SecretKind
from copilot.identity.users import User, UserDirectory
from copilot.settings import CopilotSettings
from knowledge.embeddings import MiniLmEmbedder
from knowledge.store import ManualStore
from simulator.process import settings_env
from ui.auth import app_sessions
from ui.runtime import AppRuntime
from ui.shared import get_runtime

REPO = REPO
APP = str(REPO / "ui" / "main.py")  # the pages; ui/app.py serves them with the session cookie's routes
KEYS_OUTSIDE = ("COPILOT_AUDIT_KEY_FILE", "COPILOT_AUDIT_HEADS_DIR")  # kept for the processes tests start (conftest)
USERS = UserDirectory.load(CopilotSettings().users_file)
PUMP_MANUAL = REPO / "plants" / "riverside" / "manuals" / "aquaflow-cp80.md"

# Every conversation plays this script: read the pump's manual and status and propose a 5 °C oven setpoint
# change (which waits for sign-off), then answer.
OVEN_BEFORE, OVEN_AFTER = 180, 185
ANSWER = ("The oven setpoint is now 185 °C. For the pump's vibration, check the coupling alignment "
          "(Aquaflow CP-80 Operating Manual, §5.2).")
SCRIPT = [
    {"tool_calls": [
        {"name": "search_manuals", "args": {"query": "high vibration bearing", "machine_id": "P-101"}},
        {"name": "machine_status", "args": {"machine_id": "P-101"}},
        {"name": "write_setpoint", "args": {"machine_id": "OV-201", "tag": "temp_setpoint", "value": OVEN_AFTER}},
    ]},
    {"content": ANSWER},
]
QUESTION = "With P-101 vibrating, raise the oven to 185 please"


def user(name: str) -> User:
    return USERS.get(name)


def signed_in(at: AppTest, name: str) -> AppTest:
    """``at`` signed in as ``name`` the way the sign-in form leaves a tab: a live server-side session of theirs,
    in the app's own sessions (the process's cached resource, which the pages use)."""
    at.session_state["session"] = (SecretKind.page, app_sessions().open(name).page_secret)
    return at


def pump_manual_store(folder: Path) -> Path:
    """A manuals store holding only the pump's manual (quick to embed); the app finds it non-empty."""
    source = folder / "manuals"
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy(PUMP_MANUAL, source)
    store = folder / "store"
    assert ManualStore(store, MiniLmEmbedder()).ingest(source).ok
    return store


def app_env(sim: ConnectorSettings, data_dir: Path, store: Path, script: list[dict[str, Any]]) -> dict[str, str]:
    """The environment the app reads its settings from: the simulator, a data dir, the store, the script."""
    data_dir.mkdir(parents=True, exist_ok=True)
    script_file = data_dir / "script.json"
    script_file.write_text(json.dumps(script))
    return settings_env(sim) | {
        "COPILOT_DATA_DIR": str(data_dir),
        "COPILOT_PROVIDER": "scripted",
        "COPILOT_SCRIPT_FILE": str(script_file),
        "PLANT_KNOWLEDGE_STORE": str(store),
    }


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def clear_app_caches() -> None:
    """Forget all the app caches for the process (configuration, runtime, stores, sign-ins), closing those that
    close: the next page reads its environment anew."""
    st.cache_resource.clear()
    st.cache_data.clear()


@contextmanager
def app_runtime(env: dict[str, str], timeout: float = 120) -> Iterator[AppRuntime]:
    """The app's runtime opened in ``env``, as one server process holds it, until the block ends; then everything
    the app cached in it is closed and forgotten."""
    with environment(env):
        clear_app_caches()
        try:
            rt = get_runtime()
            rt.ready.result(timeout=timeout)
            yield rt
        finally:
            clear_app_caches()


def session(name: str | None = None, page: str | None = None, timeout: float = 60) -> AppTest:
    """An app session, signed in as ``name`` (None: signed out), on ``page`` (e.g. "pages/approvals.py")."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if name is not None:
        signed_in(at, name)
    at.run()  # registers the pages the role may use: switch_page refuses the others
    if page is not None:
        at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, captions, alerts, titles, status labels), joined."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "success", "info", "warning", "error",
                 "code", "text"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    parts += [str(s.label) for s in at.status] + [str(e.label) for e in at.expander]
    return "\n".join(parts)
