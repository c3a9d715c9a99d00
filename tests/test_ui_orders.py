"""The Orders page in AppTest sessions against the real simulator: a planner configures an order from PLM's
products and sees each check, the substitutions and the line's sequence before and after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from ui_helpers import SCRIPT, app_env, app_runtime, pump_manual_store, session, texts

from ui.runtime import AppRuntime


@pytest.fixture(scope="module")
def runtime(sim_server, tmp_path_factory) -> Iterator[AppRuntime]:
    work = tmp_path_factory.mktemp("ui-orders")
    with app_runtime(app_env(sim_server, work / "data", pump_manual_store(work), SCRIPT)) as rt:
        yield rt


def test_a_late_configuration_shows_its_checks_substitutions_and_the_sequence(runtime, sim) -> None:
    at = session("sam", "pages/orders.py")
    assert not at.exception, at.exception
    assert [s.label for s in at.selectbox] == ["Product", "Colour", "Line"]
    assert at.selectbox(key="order_product").options == ["HX-200 – Pump housing HX-200", "CL-500 – Coolant "
                                                                                          "concentrate 500 ml"]
    at.selectbox(key="order_colour").select("blue")
    at.multiselect(key="order_options").select("uv_stabilised")
    at.date_input(key="order_due").set_value(datetime.now(UTC).date() + timedelta(days=4))
    [check] = [b for b in at.button if b.label == "Check the order"]
    check.click().run()
    assert not at.exception, at.exception
    passed, failed = [s.value for s in at.success], [e.value for e in at.error]
    assert "Option rules: none broken" in passed and any(p.startswith("Material MB-BLUE") for p in passed)
    assert any(f.startswith("Material UV-ADD 2.4 kg (free 0.8, on order 0, buy 2 from SUP-COLOR)") for f in failed)
    assert any(f.startswith("Due date") for f in failed), failed
    assert "Place in the queue: queued 2nd of 2 on L1, after PO-L1-0043, changeover 25 min instead of 25 min at the " \
           "queue's end" in passed, passed
    substitutions = at.dataframe[0].value
    assert list(substitutions["kind"]) == ["supplier", "supplier", "alternate", "alternate", "option"]
    assert list(substitutions["what"])[-1] == "without uv_stabilised"
    assert [m.label for m in at.metric] == ["Changeover first come", "Changeover sequenced", "Saved"]
    # first come: grey running -> blue UV (25 min) -> the new blue UV (same: 0); nothing to gain
    assert [m.value for m in at.metric] == ["25 min", "25 min", "0 min"]
    assert "Line L1: run PO-L1-0043 next; first come PO-L1-0042 → PO-L1-0043 → the new order" in texts(at)
    assert list(at.dataframe[1].value["order"]) == ["PO-L1-0042", "PO-L1-0043", "the new order"]
    assert at.get("vega_lite_chart"), "the Gantt chart of the sequence before and after"
    assert "No order change waits for sign-off." in texts(at)


def test_a_configuration_that_breaks_a_rule_shows_the_rule_in_red(runtime, sim) -> None:
    at = session("sam", "pages/orders.py")
    at.selectbox(key="order_product").select("CL-500")
    at.run()
    at.selectbox(key="order_colour").select("red")
    at.multiselect(key="order_options").select("tamper_evident_cap")
    [check] = [b for b in at.button if b.label == "Check the order"]
    check.click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error][0].startswith("Option rules: rule CL-R1: tamper_evident_cap needs one of "
                                                     "long_life")


def test_a_line_queue_is_sequenced_on_its_own(runtime, sim) -> None:
    # L2: PO-L2-0107 green runs, PO-L2-0108 red with the tamper-evident cap queued: green to red 20 min and the
    # capping head 25 min; one order queued, nothing to reorder
    at = session("sam", "pages/orders.py")
    at.selectbox(key="queue_line").select("L2")
    [sequence] = [b for b in at.button if b.label == "Sequence the line"]
    sequence.click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["45 min", "45 min", "0 min"]
    assert "Line L2: run PO-L2-0108 next; first come PO-L2-0107 → PO-L2-0108, 45 min changeover; kept as it is" \
        in texts(at)
