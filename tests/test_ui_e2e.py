"""End to end in a real headless browser: an operator asks for a setpoint change, a supervisor in another
session approves it, the operator's chat moves on by itself and the overview shows the PLC's new value.

The app runs as ``streamlit run ui/app.py`` (the demo's command: pages and cookie routes) against the simulator,
both on free loopback ports, with a scripted model; Debian's chromium is driven by Playwright (never downloaded).
Every wait has a timeout, and the screenshots of each page go to test-artifacts/ui/
(``UPDATE_SCREENSHOTS=1`` also copies them to docs/screenshots/, which the README shows).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import ANSWER, KEYS_OUTSIDE, OVEN_AFTER, OVEN_BEFORE, QUESTION, REPO, SCRIPT, app_env, pump_manual_store

from simulator.process import free_ports, running_simulator
from ui.demo import running_app
from ui.session_cookie import COOKIE

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "test-artifacts" / "ui"
WAIT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 1100}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (`make test` installs it)")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The simulator (clock running ten times fast, for the trends) and the app, on free loopback ports."""
    work = tmp_path_factory.mktemp("e2e")
    store = pump_manual_store(work)
    with running_simulator(work / "sim", time_scale=10.0) as sim:
        [port] = free_ports(1)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANT_", "COPILOT_")) or k in KEYS_OUTSIDE}
        with running_app(port, env | app_env(sim, work / "data", store, SCRIPT), work / "app.log"):
            yield f"http://127.0.0.1:{port}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(700)  # let the last delta paint
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def sign_in(browser, url: str, name: str, screenshot: str | None = None):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(url, timeout=WAIT_MS)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(f"{name}-demo")
    if screenshot:
        shot(page, screenshot)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Plant chat").wait_for()
    return page


def open_page(page, title: str) -> None:
    """Through the sidebar's navigation, as a user would (a typed URL would open a new, signed-out session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


def test_operator_asks_supervisor_approves_and_the_plc_changes(app_url):
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=WAIT_MS)
        try:
            olga = sign_in(browser, app_url, "olga", screenshot="01-sign-in")
            nav = olga.locator('[data-testid="stSidebarNav"]')
            assert nav.get_by_text("Approvals", exact=True).count() == 0  # not an operator's page
            olga.get_by_placeholder("Ask the copilot…").fill(QUESTION)
            olga.keyboard.press("Enter")
            olga.get_by_text("write_setpoint — waiting for approval").wait_for()
            change = f"OV-201 temperature setpoint {OVEN_BEFORE} → {OVEN_AFTER} °C"
            olga.get_by_text(change).first.wait_for(state="attached")
            olga.get_by_text("search_manuals — done").click()  # open the step: its citations link to passages
            shot(olga, "02-chat-waiting-for-approval")

            sam = sign_in(browser, app_url, "sam")
            open_page(sam, "Approvals")
            sam.get_by_text(f"write_setpoint: OV-201 temperature setpoint {OVEN_BEFORE} → {OVEN_AFTER} °C").wait_for()
            sam.get_by_text("0 of 1 (nobody yet)").wait_for()
            sam.get_by_label("Comment").fill("ok for this batch")
            shot(sam, "03-approvals")
            sam.get_by_role("button", name="Approve").click()
            sam.get_by_text("No actions wait for approval.").wait_for()

            # the operator asks nothing more: the chat's polling fragment brings in the resumed run
            olga.get_by_text(ANSWER).wait_for()
            olga.get_by_text("write_setpoint — done").wait_for()
            shot(olga, "04-chat-approved-and-answered")

            olga.get_by_role("link", name=re.compile("Aquaflow CP-80 Operating Manual")).last.click()  # under Sources
            olga.get_by_role("heading", name="Manual passage").wait_for()
            shot(olga, "05-manual-passage")

            open_page(olga, "Overview")
            oven = olga.locator(".st-key-machine-OV-201")
            oven.locator("tr", has_text="temp_setpoint").get_by_text(f"{OVEN_AFTER} degC", exact=True).wait_for()
            olga.set_viewport_size({"width": VIEWPORT["width"], "height": 2000})  # the whole plant in one picture
            shot(olga, "06-overview")
            olga.set_viewport_size(VIEWPORT)

            open_page(sam, "Audit")
            sam.get_by_text("Hash chain verified").wait_for()
            shot(sam, "07-audit")
        finally:
            browser.close()
    # the README shows them: refresh the committed copies when asked (or when one is missing)
    docs = REPO / "docs" / "screenshots"
    docs.mkdir(parents=True, exist_ok=True)
    for png in sorted(SHOTS.glob("0*.png")):
        if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not (docs / png.name).exists():
            shutil.copy(png, docs / png.name)


def test_a_refresh_keeps_the_session_and_signing_out_ends_it(app_url):
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=WAIT_MS)
        try:
            ada = sign_in(browser, app_url, "ada")
            [cookie] = [c for c in ada.context.cookies() if c["name"] == COOKIE]
            assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
            assert ada.evaluate("document.cookie").find(COOKIE) == -1  # no script in the page can read it
            ada.reload()
            ada.get_by_role("heading", name="Plant chat").wait_for()  # still signed in, no form
            assert ada.get_by_label("User name").count() == 0

            elsewhere = browser.new_context(viewport=VIEWPORT)  # the cookie copied into another browser
            elsewhere.add_cookies([cookie])
            copy = elsewhere.new_page()
            copy.goto(app_url, timeout=WAIT_MS)
            copy.get_by_role("heading", name="Plant chat").wait_for(timeout=WAIT_MS)

            ada.get_by_role("button", name="Sign out").click()
            ada.get_by_label("User name").wait_for()
            ada.wait_for_function("() => !document.location.pathname.includes('_session')", timeout=WAIT_MS)
            assert not [c for c in ada.context.cookies() if c["name"] == COOKIE]  # cleared in the browser
            ada.reload()
            ada.get_by_label("User name").wait_for()  # signed out stays signed out

            replayed = browser.new_context(viewport=VIEWPORT)  # the copy, replayed after signing out
            replayed.add_cookies([cookie])
            late = replayed.new_page()
            late.goto(app_url, timeout=WAIT_MS)
            late.get_by_label("User name").wait_for(timeout=WAIT_MS)
            copy.reload()  # and the browser that held the copy is signed out too
            copy.get_by_label("User name").wait_for(timeout=WAIT_MS)
        finally:
            browser.close()
