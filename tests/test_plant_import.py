"""Onboarding from OPC UA: `plant import` drafts the plant file from the simulator's address space, and
`plant check` compares a plant file with the live server."""

from __future__ import annotations

import re
from pathlib import Path

from plant_edits import plant_with, tag_of
from typer.testing import CliRunner

from connectors.plant import Plant, load_plant
from connectors.plc import Finding, Severity
from connectors.plc.opcua.check import check_plant
from connectors.plc.opcua.model import variant_type
from connectors.plc.opcua.session import close_quietly, open_session
from connectors.settings import ConnectorSettings, OpcUaSecurity
from connectors.site import DEMO_SITE
from simulator.process import settings_env
from ui.cli import app as plant_copilot

PLANT = load_plant(DEMO_SITE / "plant.yaml")


def _run(sim: ConnectorSettings, *args: str, plant_file: Path | None = None):
    env = settings_env(sim) | ({"PLANT_PLANT_FILE": str(plant_file)} if plant_file else {})
    return CliRunner().invoke(plant_copilot, ["plant", *args], env=env)


async def _check(sim: ConnectorSettings, plant: Plant) -> list[Finding]:
    client = await open_session(sim)
    try:
        return await check_plant(client, plant)
    finally:
        await close_quietly(client)


def test_import_reproduces_the_simulators_machines_and_tags(sim, tmp_path):
    out = tmp_path / "draft.yaml"
    result = _run(sim, "import", sim.opcua_url, "--out", str(out))
    assert result.exit_code == 0, result.output
    draft = load_plant(out)  # a plant file the copilot can load as it is

    assert draft.plant.opcua_namespace == PLANT.plant.opcua_namespace
    assert [(line.id, line.name) for line in draft.lines] == [(line.id, line.name) for line in PLANT.lines]
    assert list(draft.machines) == list(PLANT.machines)
    for machine_id, machine in PLANT.machines.items():
        drafted = draft.machines[machine_id]
        assert (drafted.name, drafted.kind, drafted.model, drafted.manufacturer, drafted.line_id) == \
            (machine.name, machine.kind, machine.model, machine.manufacturer, machine.line_id)
        assert list(drafted.tags) == list(machine.tags)
        for name, tag in machine.tags.items():
            got = drafted.tags[name]
            assert (got.opcua, got.unit, got.enum) == (tag.opcua, tag.unit, tag.enum), tag.key
            assert variant_type(got) == variant_type(tag), tag.key
            assert got.modbus is None, tag.key
            # a setpoint the server bounds with an EURange is writable within it; the run command (a Boolean with
            # no EURange) stays read-only until the admin marks it
            assert got.writable == tag.is_setpoint, tag.key
            if tag.enum is None and tag.value_type not in ("bool", "string") and tag.min is not None:
                assert (got.min, got.max) == (tag.min, tag.max), tag.key
            else:
                assert (got.min, got.max) == (None, None), tag.key

    read_only = {re.search(r"opcua: ([^,}]+)", line).group(1) for line in out.read_text().splitlines()
                 if line.endswith("# the server lets it be written; read-only here until it has min, max and "
                                  "writable: true")}
    assert read_only == {t.opcua for t in PLANT.all_tags() if t.is_run_command}
    assert draft.plcs["opcua"].url == sim.opcua_url and draft.plcs["opcua"].security is OpcUaSecurity.none
    assert {draft.plc_of(m) for m in draft.machines} == {"opcua"}  # the next check goes to this server
    checked = _run(sim, "check", "--plant-file", str(out))
    assert checked.exit_code == 0 and "0 problem(s)" in checked.output, checked.output


def test_import_prints_the_draft_and_never_writes_over_the_running_plant_file(sim, tmp_path):
    running = tmp_path / "plant.yaml"
    running.write_text((DEMO_SITE / "plant.yaml").read_text())
    refused = _run(sim, "import", sim.opcua_url, "--out", str(running), "--replace", plant_file=running)
    assert refused.exit_code == 1 and "plant file in use" in refused.output
    assert running.read_text() == (DEMO_SITE / "plant.yaml").read_text()
    printed = _run(sim, "import", sim.opcua_url)
    assert printed.exit_code == 0 and "ns=2;s=L1.HP-102.pressure_setpoint" in printed.output


async def test_check_finds_the_demo_plant_file_agrees_with_its_server(sim):
    assert await _check(sim, PLANT) == []


async def test_check_reports_what_contradicts_the_server(sim, tmp_path):
    def broken(raw: dict) -> None:
        tag_of(raw, "HP-102", "pressure_setpoint").update(max=240)
        tag_of(raw, "P-101", "flow")["opcua"] = "ns=2;s=L1.P-101.flow_rate"
        tag_of(raw, "IM-103", "good_count")["modbus"]["type"] = "uint16"  # the server says UInt32
        tag_of(raw, "OV-201", "zone_temp").update(writable=True)

    findings = await _check(sim, plant_with(tmp_path, broken))
    problems = {f.tag: f.message for f in findings if f.severity is Severity.problem}
    assert set(problems) == {"HP-102.pressure_setpoint", "P-101.flow", "IM-103.good_count", "OV-201.zone_temp"}
    assert "limits 80..240 contradict the server's EURange 80..210" in problems["HP-102.pressure_setpoint"]
    assert "is not on the server" in problems["P-101.flow"]
    assert "declares data type UInt32" in problems["IM-103.good_count"]
    assert "read-only on the server" in problems["OV-201.zone_temp"]


def test_check_command_fails_on_a_problem(sim, tmp_path):
    plant_with(tmp_path, lambda raw: tag_of(raw, "HP-102", "pressure_setpoint").update(max=240))
    result = _run(sim, "check", "--plant-file", str(tmp_path / "plant.yaml"))
    assert result.exit_code == 1
    assert "HP-102.pressure_setpoint" in result.output and "1 problem(s)" in result.output
    assert _run(sim, "check").exit_code == 0
