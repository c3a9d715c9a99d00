"""A plant the product was not shipped with: its site folder alone starts the copilot, the product's procedures
fit it, no twin file is needed, and a status question and a setpoint change run through the gate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from agent_helpers import call, script, user, waiting
from typer.testing import CliRunner

from connectors.plant import load_plant
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE, PLANTS, PRODUCT_DEFAULTS
from copilot.monitor.spec import MonitorError, MonitorSpec
from copilot.procedures.chooser import example_turns
from copilot.procedures.fitting import fitted_to, plant_values
from copilot.procedures.spec import Procedures, SlotKind
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.process import running_simulator
from tools.registry import TOOLS
from twin.settings import TwinSettings
from ui.cli import app

MIXER_SITE = Path(__file__).resolve().parent / "data" / "mixer_site"
PROCEDURES = Procedures.load(PRODUCT_DEFAULTS / "procedures.yaml", TOOLS)


def _named(procedures: Procedures, kind: SlotKind) -> set[str]:
    out = set()
    for procedure in procedures.procedures:
        for example in procedure.examples:
            for name, value in example.slots.items():
                if procedure.slots[name].kind is kind and value is not None:
                    out.add(value)
    return out


def test_on_the_plant_they_were_written_for_the_procedures_are_as_written():
    assert fitted_to(PROCEDURES, load_plant(DEMO_SITE / "plant.yaml")) is PROCEDURES


def test_on_another_plant_every_example_names_that_plants_own_things():
    plant = load_plant(MIXER_SITE / "plant.yaml")
    fitted = fitted_to(PROCEDURES, plant)
    example_turns(fitted, plant)  # every example checked against this plant's schema: raises on a foreign name
    assert _named(fitted, SlotKind.machine) == {"MX-1"}
    assert _named(fitted, SlotKind.part) == {"PAD-BM2"}
    for procedure in fitted.procedures:
        for example in procedure.examples:
            for name in ("P-101", "HP-102", "OV-201", "FL-202", "CV-203", "IM-103", "BRG-6205"):
                assert name not in example.request, (procedure.name, example.request)
    changes = fitted.get("change_setpoints")
    assert changes is not None and changes.examples  # a change has examples on this plant's setpoint
    assert all(c["tag"] in (None, "speed_setpoint") for e in changes.examples for c in e.slots["changes"])
    stops = fitted.get("start_or_stop_machine")
    assert stops is not None and "switch MX-1 back on" in [e.request for e in stops.examples]


def test_a_procedure_about_things_the_plant_has_none_of_is_not_offered():
    plant = load_plant(MIXER_SITE / "plant.yaml")
    assert not plant_values(SlotKind.production_order, plant)
    assert "change_production" in PROCEDURES.names
    assert "change_production" not in fitted_to(PROCEDURES, plant).names


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(MIXER_SITE / "plant.yaml", site / "plant.yaml")
    shutil.copy(DEMO_SITE / "users.yaml", site / "users.yaml")  # no twin.yaml: nothing is dry-run
    return site


async def test_the_copilot_starts_on_a_site_folder_answers_and_changes_through_the_gate(tmp_path: Path):
    site = _site(tmp_path)
    with running_simulator(tmp_path / "sim", plant_file=site / "plant.yaml") as sim:
        connectors = ConnectorSettings(**{**sim.model_dump(), "site_dir": site, "plant_file": site / "plant.yaml"})
        settings = CopilotSettings(site_dir=site, data_dir=tmp_path / "data")
        assert settings.users_file == site / "users.yaml"
        assert settings.procedures_file == PRODUCT_DEFAULTS / "procedures.yaml"  # the product's, fitted
        model = script([call("machine_status_and_diagnosis", machine="MX-1")],
                       [call("change_setpoints", machine="MX-1", changes=[{"tag": "speed_setpoint", "to": 120}])])
        async with Copilot.open(model, settings=settings, connectors=connectors,
                                twin=TwinSettings(site_dir=site)) as copilot:
            steps = [s async for s in copilot.ask(user("olga"), "what is MX-1 doing?", thread_id="t")]
            assert steps[-1].kind == "answer" and "MX-1" in steps[-1].text and "rpm" in steps[-1].text
            assert not waiting(steps)  # a question changes nothing
            steps = [s async for s in copilot.ask(user("olga"), "put the mixer on 120 rpm", thread_id="t")]
            [wait] = waiting(steps)
            assert wait.change.startswith("MX-1 speed setpoint") and wait.change.endswith("→ 120 rpm")
            _, more = await copilot.approve(wait.action_id, user("sam"))
            assert not [s for s in more if s.kind == "result"]  # no twin to predict it: a second person checks
            _, more = await copilot.approve(wait.action_id, user("sara"))
            assert [s.status for s in more if s.kind == "result" and s.tool == "write_setpoint"] == ["done"]
            assert (await copilot.rt.deps.plc.read("MX-1", "speed_setpoint")).value == 120


def test_init_makes_a_site_folder_that_the_commands_take(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PLANT_DIR", str(DEMO_SITE))  # --plant-dir sets it for the command's children: undone after
    site = tmp_path / "newsite"
    result = CliRunner().invoke(app, ["init", str(site), "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert (site / "users.yaml").exists() and (site / "manuals").is_dir()
    assert "plant-copilot plant import" in result.output
    again = CliRunner().invoke(app, ["init", str(site), "--password", "a-long-password"])
    assert again.exit_code == 2 and "already holds a site" in again.output
    shutil.copy(MIXER_SITE / "plant.yaml", site / "plant.yaml")
    checked = CliRunner().invoke(app, ["--plant-dir", str(site), "plant", "check"],
                                 env={"PLANT_OPCUA_PORT": "9", "PLANT_CONNECT_TIMEOUT_S": "1"})
    assert str(site / "plant.yaml") in checked.output  # the site's plant file, not the demo's
    missing = CliRunner().invoke(app, ["--plant-dir", str(tmp_path / "nowhere"), "plant", "check"])
    assert missing.exit_code == 2 and "no such folder" in missing.output


def test_on_the_second_plant_the_examples_spread_over_its_machines_with_their_own_units():
    plant = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    fitted = fitted_to(PROCEDURES, plant)
    example_turns(fitted, plant)
    assert len(_named(fitted, SlotKind.machine)) >= 3  # not every example on the first machine
    units = {}
    for example in fitted.get("change_setpoints").examples:
        machine = plant.machines[example.slots["machine"]]
        units.update({example.request: machine.tags[c["tag"]].unit for c in example.slots["changes"] if c["tag"]})
    in_rpm = [unit for request, unit in units.items() if "100 rpm slower" in request]
    to_170 = [unit for request, unit in units.items() if request.endswith(" to 170")]
    assert in_rpm == ["rpm"] and to_170 == ["degC"]  # the oven's 170 degC lands on a setpoint in degC


def test_on_the_second_plant_a_product_named_in_words_is_its_product_in_the_same_place_with_its_colours():
    plant = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    fitted = fitted_to(PROCEDURES, plant)
    example_turns(fitted, plant)
    checks = {e.request: e.slots for e in fitted.get("configure_order_check").examples}
    # the housing is the first product, its blue the second of its colours: the twill's olive; UV is not offered
    assert checks["can we make 600 TW-240 in olive by Friday?"] == {
        "product": "TW-240", "colour": "olive", "options": None, "quantity": 600, "due": "Friday"}
    booked = {e.request: e.slots["product"] for e in fitted.get("configure_order_accept").examples}
    assert "JS-180" in booked.values()  # the coolant is the second product


def test_on_the_second_plant_a_line_named_by_number_or_name_is_its_line_in_the_same_place():
    plant = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    requests = {e.request: e.slots["line"] for e in fitted_to(PROCEDURES, plant).get("line_root_cause").examples}
    assert requests["why is line F1's scrap up?"] == "F1"  # line 2 is the plant's second line
    assert requests["the dyeing line is making more rejects since this morning, what changed?"] == "D1"


def test_the_products_monitor_rules_watch_what_another_plant_has_and_a_sites_own_must_name_its_own(tmp_path):
    plant = load_plant(MIXER_SITE / "plant.yaml")
    procedures = fitted_to(PROCEDURES, plant)
    spec = MonitorSpec.load(PRODUCT_DEFAULTS / "monitor.yaml", plant, procedures)
    assert [(d.name, d.tags) for d in spec.detections] == [("reading toward its alarm", ["motor_current"]),
                                                           ("machine stopped by a fault", []),
                                                           ("next order's turn", [])]  # the MES's, any plant
    own = tmp_path / "monitor.yaml"
    own.write_text("detections:\n  - {name: hot oil, kind: toward_limit, tags: [oil_temp], window_minutes: 20,"
                   " procedure: report_to_maintenance}\n")
    with pytest.raises(MonitorError, match="no machine has a tag 'oil_temp'"):
        MonitorSpec.load(own, plant, procedures)
    dyehouse = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    site = CopilotSettings(site_dir=PLANTS / "dyehouse")
    assert site.monitor_file == PLANTS / "dyehouse" / "monitor.yaml"  # the site's own replaces the product's
    assert len(MonitorSpec.load(site.monitor_file, dyehouse, fitted_to(PROCEDURES, dyehouse)).detections) == 6
