"""End to end in a real headless browser with no model at all (``COPILOT_PROVIDER=none``): the chat says the model
is off and offers the forms; an operator orders a part and asks for a setpoint change through forms (a bad value
first, told in one line, nothing lost); both wait in the approvals queue with their owners; a supervisor approves;
they run as the chat's runs do: the ERP holds the order and the PLC reads the new setpoint back.

The app runs as ``streamlit run ui/app.py`` against the simulator, both on free loopback ports; Debian's chromium
is driven by Playwright. Every wait has a timeout; the screenshots go to test-artifacts/ui/.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from test_ui_e2e import ARGS, CHROMIUM, WAIT_MS, open_page, shot, sign_in
from ui_helpers import KEYS_OUTSIDE, pump_manual_store

from connectors.erp import ErpClient
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from simulator.process import free_ports, running_simulator, settings_env
from ui.demo import running_app

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (`make test` installs it)")

OVEN_BEFORE, OVEN_AFTER = 180, 185


@pytest.fixture(scope="module")
def plant(tmp_path_factory) -> Iterator[tuple[str, ConnectorSettings]]:
    """The simulator and the app without a model, on free loopback ports."""
    work = tmp_path_factory.mktemp("forms-e2e")
    store = pump_manual_store(work)
    with running_simulator(work / "sim") as sim:
        [port] = free_ports(1)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANT_", "COPILOT_")) or k in KEYS_OUTSIDE}
        env |= settings_env(sim) | {"COPILOT_DATA_DIR": str(work / "data"), "COPILOT_PROVIDER": "none",
                                    "PLANT_KNOWLEDGE_STORE": str(store)}
        with running_app(port, env, work / "app.log"):
            yield f"http://127.0.0.1:{port}", sim


def box(page, label: str):
    """The selectbox labelled ``label``."""
    return page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``, as a person does."""
    box(page, label).locator("input").click()
    page.get_by_role("option", name=option).first.click()


def run_form(page) -> None:
    page.get_by_role("button", name="Run").click()


async def purchase_orders(sim: ConnectorSettings, part: str) -> list:
    async with ErpClient.from_settings(sim) as erp:
        return await erp.list_purchase_orders(part=part)


def read_setpoint(sim: ConnectorSettings) -> float:
    async def read() -> float:
        async with open_plc(sim, sim.load_plant(), "opcua") as plc:
            return float((await plc.read("OV-201", "temp_setpoint")).value)

    return asyncio.run(read())


def order_part(olga) -> None:
    """The chat offers the forms, the part it heard filled in; the operator orders 6."""
    olga.get_by_text("The model is off (COPILOT_PROVIDER=none)").first.wait_for()
    olga.get_by_placeholder("Ask the copilot…").fill("we need 6 BRG-6205 bearings for the pump")
    olga.keyboard.press("Enter")
    olga.get_by_text("the model is off").last.wait_for()
    olga.get_by_role("button", name="Open the forms").click()
    olga.get_by_role("heading", name="Forms").wait_for()
    choose(olga, "Procedure", "Order part")
    expect(box(olga, "part *").locator("input")).to_have_value("BRG-6205 — Deep groove ball bearing 6205-2RS")
    olga.get_by_label("quantity").fill("6")
    shot(olga, "11-form-order-part")
    run_form(olga)
    olga.get_by_text("create_purchase_order — waiting for approval").wait_for()


def change_setpoint(olga) -> None:
    """A value that is no number gets one line and stays as typed; corrected, the change waits for sign-off."""
    choose(olga, "Procedure", "Change setpoints")
    choose(olga, "machine *", "OV-201 — Curing oven")
    choose(olga, "changes: setpoint", "temperature setpoint")
    olga.get_by_text("OV-201 temperature setpoint may be set from 140 to 200 °C, up to 10 °C a change").wait_for()
    value = olga.get_by_label("new value (°C)")
    value.fill("warmer")
    run_form(olga)
    olga.get_by_text("changes: OV-201 temperature setpoint takes a number, not 'warmer'").wait_for()
    assert value.input_value() == "warmer"  # nothing lost
    shot(olga, "12-form-bad-value")
    value.fill(str(OVEN_AFTER))
    run_form(olga)
    olga.get_by_text("write_setpoint — waiting for approval").wait_for()
    shot(olga, "13-form-waiting")


def approve_both(sam) -> None:
    open_page(sam, "Approvals")
    card = sam.locator('[class*="st-key-action-"]')
    card.filter(has_text="write_setpoint").get_by_text("owner process engineering").first.wait_for()
    card.filter(has_text="create_purchase_order").get_by_text("owner purchasing").first.wait_for()
    expect(card.filter(has_text="from a form")).to_have_count(2)
    shot(sam, "14-approvals-from-forms")
    for left in (1, 0):
        card.first.get_by_role("button", name="Approve").click()
        expect(card).to_have_count(left, timeout=WAIT_MS)
    sam.get_by_text("No actions wait for approval.").wait_for()


def test_without_a_model_the_forms_order_a_part_and_change_a_setpoint(plant):
    url, sim = plant
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=WAIT_MS)
        try:
            olga = sign_in(browser, url, "olga")
            order_part(olga)
            change_setpoint(olga)
            approve_both(sign_in(browser, url, "sam"))
            open_page(olga, "Plant chat")  # the form's run is a conversation of the operator's, resumed
            olga.get_by_role("button", name="Change setpoints (form)").first.click()
            olga.get_by_text("write_setpoint — done").wait_for()
            shot(olga, "15-chat-form-run-done")
        finally:
            browser.close()
    orders = asyncio.run(purchase_orders(sim, "BRG-6205"))
    assert [(o.quantity, o.requested_by) for o in orders] == [(6, "olga")]
    assert read_setpoint(sim) == OVEN_AFTER
