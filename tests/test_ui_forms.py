"""The Forms page and the chat's offer of a form, in AppTest sessions, against the real simulator with no model
(``COPILOT_PROVIDER=none``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ui_helpers import app_env, app_runtime, pump_manual_store, session, texts, user

from copilot import FormOffer, OfferReason
from copilot.procedures import SlotKind
from ui.runtime import AppRuntime

FORMS = "pages/forms.py"


@pytest.fixture(scope="module")
def runtime(sim_server, tmp_path_factory) -> Iterator[AppRuntime]:
    work = tmp_path_factory.mktemp("ui-forms")
    store = pump_manual_store(work)
    with app_runtime(app_env(sim_server, work / "data", store, []) | {"COPILOT_PROVIDER": "none"}) as rt:
        yield rt


@pytest.fixture
def app(runtime: AppRuntime, sim) -> AppRuntime:
    for action in runtime.sync(runtime.copilot.pending):
        runtime.call(runtime.copilot.reject(action.action_id, user("ada"), "test cleanup"), timeout=60)
    return runtime


def widget(at, key: str):
    return next(w for kind in ("selectbox", "text_input", "multiselect") for w in getattr(at, kind) if w.key == key)


def test_every_procedure_is_a_form_and_a_setpoint_shows_its_unit_and_limits(app):
    at = session("olga", FORMS)
    assert not at.exception, at.exception
    assert "The model is off" in texts(at)
    assert at.selectbox(key="form-procedure").options == [f.title for f in app.copilot.forms()]
    at.selectbox(key="form-procedure").set_value("change_setpoints").run()
    widget(at, "form-change_setpoints-machine").set_value("OV-201").run()
    widget(at, "form-change_setpoints-changes-tag").set_value("temp_setpoint").run()
    assert "OV-201 temperature setpoint may be set from 140 to 200 °C, up to 10 °C a change" in texts(at)
    assert "temperature setpoint (°C)" in widget(at, "form-change_setpoints-changes-tag").options


def test_a_bad_value_gets_one_line_and_stays_as_typed(app):
    at = session("olga", FORMS)
    at.selectbox(key="form-procedure").set_value("order_part").run()
    widget(at, "form-order_part-part").set_value("BRG-6205")
    widget(at, "form-order_part-quantity").set_value("six").run()
    at.button(key="form-run-button").click().run()
    assert not at.exception, at.exception
    [error] = at.error
    assert error.value.splitlines()[-1] == "- quantity: a whole number of 0 or more is needed, not 'six'"
    assert widget(at, "form-order_part-quantity").value == "six"
    assert widget(at, "form-order_part-part").value == "BRG-6205"
    assert app.sync(app.copilot.pending) == []  # nothing ran


def test_the_chat_says_the_model_is_off_and_its_offer_fills_the_form_in(app):
    at = session("olga")
    assert "The model is off (COPILOT_PROVIDER=none)" in texts(at)
    at.chat_input[0].set_value("order 4 SEAL-M25 for the pump please").run()
    assert not at.exception, at.exception
    assert "the model is off" in texts(at)
    [offer] = [b for b in at.button if b.label == "Open the forms"]
    assert offer is not None
    heard = FormOffer(OfferReason.off, heard={SlotKind.part: "SEAL-M25"})
    at.session_state["form_offer"] = heard
    at.switch_page(FORMS).run()
    at.selectbox(key="form-procedure").set_value("order_part").run()
    assert widget(at, "form-order_part-part").value == "SEAL-M25"
    assert "filled in with what was understood" in texts(at)
