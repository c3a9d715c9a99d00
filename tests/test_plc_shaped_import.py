"""A plant nobody on the project wrote: `plant import` on a PLC-shaped node-opcua server (tests/plc_server.py) drafts
a plant file that needs no hand edit — `plant check` passes on it, `plant-copilot read` reads its live values and a
setpoint written through the copilot's PLC connector lands on the server; then the copilot itself, on a site
folder holding that draft, answers a status question and carries a setpoint change through the gate to it.

The server has folders holding variables by Organizes, a data-block folder (DB_Params) under its mixer, Siemens
style string node ids, AnalogItems with EURange and EngineeringUnits, a writable speed setpoint, a Boolean Running
flag, a MultiStateDiscrete Status, a DateTime a plant file cannot hold and an object under the mixer that may or
may not be a machine of its own. The import runs with Basic256Sha256 SignAndEncrypt; every later command runs with
the settings' security left at none and the settings' endpoint at a dead port, so the draft's plcs: entry alone
takes them to the server, securely.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from agent_helpers import call, script, user, waiting
from plc_server import VARIABLES, PlcServer, node_read
from typer.testing import CliRunner

from connectors.errors import Rejected
from connectors.plant import Plant, load_plant
from connectors.plc import open_plc
from connectors.plc.opcua.pki import Pki, create_application_certificate, fingerprint
from connectors.plc.opcua.session import server_certificate
from connectors.settings import ConnectorSettings, OpcUaSecurity
from connectors.site import DEMO_SITE
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.process import free_ports
from twin.settings import TwinSettings
from ui.cli import app as plant_copilot

SETPOINT = VARIABLES["Mixer1/DB_Params/SpeedSetpoint"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory, plc_server: PlcServer) -> Path:
    """The copilot's certificate, and the server's certificate trusted the way an admin does it (by fingerprint)."""
    folder = tmp_path_factory.mktemp("pki")
    create_application_certificate(Pki(folder))
    der = asyncio.run(server_certificate(plc_server.url, OpcUaSecurity.sign_and_encrypt, 30))
    trusted = CliRunner().invoke(plant_copilot, ["opcua", "trust", plc_server.url, "--fingerprint", fingerprint(der)],
                                 env={"PLANT_OPCUA_PKI_DIR": str(folder)})
    assert trusted.exit_code == 0, trusted.output
    return folder


@pytest.fixture(scope="module")
def env(pki: Path) -> dict[str, str]:
    """The settings of every command after the import: no security, and an endpoint where nothing listens."""
    return {"PLANT_OPCUA_PKI_DIR": str(pki), "PLANT_OPCUA_SECURITY": "none",
            "PLANT_OPCUA_ENDPOINT": f"opc.tcp://127.0.0.1:{free_ports(1)[0]}/nothing-here/",
            "PLANT_CONNECT_TIMEOUT_S": "30", "PLANT_REQUEST_TIMEOUT_S": "30"}


@pytest.fixture(scope="module")
def imported(plc_server: PlcServer, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """`plant import` over SignAndEncrypt: the draft's path and the command's output."""
    out = tmp_path_factory.mktemp("draft") / "plant.yaml"
    result = CliRunner().invoke(plant_copilot, ["plant", "import", plc_server.url, "--out", str(out)],
                                env=env | {"PLANT_OPCUA_SECURITY": "sign_and_encrypt"})
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def draft(imported) -> Plant:
    return load_plant(imported[0])


def test_the_draft_names_the_server_it_came_from_and_the_security_used(draft, plc_server):
    assert list(draft.plcs) == ["opcua"]
    assert draft.plcs["opcua"].url == plc_server.url
    assert draft.plcs["opcua"].security is OpcUaSecurity.sign_and_encrypt
    assert {draft.plc_of(machine) for machine in draft.machines} == {"opcua"}


def test_the_mixer_holds_its_organized_variables_and_its_data_block(draft):
    assert list(draft.machines) == ["MIXER1", "DOSINGPUMP"]  # DB_Params, Setpoints and Agitator are no machines
    assert [line.id for line in draft.lines] == ["MixingArea"]
    mixer = draft.machine("MIXER1")
    assert mixer.name == "Batch mixer 1"
    speed, setpoint, current = mixer.tag("speed"), mixer.tag("speed_setpoint"), mixer.tag("motor_current")
    assert (speed.opcua, speed.unit, speed.value_type, speed.min, speed.max, speed.writable) == \
        (VARIABLES["Mixer1/Speed"], "rpm", "float64", 0, 1500, False)
    assert (setpoint.opcua, setpoint.unit, setpoint.min, setpoint.max, setpoint.writable) == \
        (SETPOINT, "rpm", 200, 1200, True)  # writable on the server, within its EURange
    assert (current.opcua, current.unit, current.value_type, current.writable) == \
        (VARIABLES["Mixer1/MotorCurrent"], "A", "float32", False)
    assert mixer.tag("agitator_torque").unit == "N.m"
    assert not mixer.tag("recipe_name").writable  # writable on the server, but nothing bounds it


def test_the_running_flag_and_the_status_become_the_machines_state(draft):
    mixer_state = draft.tag("MIXER1", "state")
    assert (mixer_state.opcua, mixer_state.value_type, mixer_state.enum) == \
        (VARIABLES["Mixer1/Running"], "bool", {0: "stopped", 1: "running"})
    pump_state = draft.tag("DOSINGPUMP", "state")
    assert (pump_state.opcua, pump_state.enum) == \
        (VARIABLES["DosingPump/Status"], {0: "stopped", 1: "running", 2: "faulted"})  # Fault in the policy's word
    assert "running" not in draft.machine("MIXER1").tags  # the flag is the state, not a tag beside it


def test_nothing_is_left_out_without_a_word(imported, draft):
    out, output = imported
    text = out.read_text()
    tags = {tag.opcua for tag in draft.all_tags()}
    for path, node_id in VARIABLES.items():
        if node_id not in tags:  # left out: said in the draft and in the command's output, with the reason
            assert f"{node_id}): skipped" in text and f"{node_id}): skipped" in output, path
    assert "(DateTime)" in output and VARIABLES["Mixer1/LastCleaned"] not in tags
    doubt = "Agitator is taken as part of MIXER1"
    assert doubt in output and f"# to look at: {doubt}" in text


def test_plant_check_passes_on_the_draft(imported, env, plc_server):
    result = CliRunner().invoke(plant_copilot, ["plant", "check", "--plant-file", str(imported[0])], env=env)
    assert result.exit_code == 0, result.output
    assert f"PLC opcua (opcua {plc_server.url}): 2 machine(s)" in result.output and "0 problem(s)" in result.output


def test_read_shows_the_live_values_with_their_units(imported, env):
    result = CliRunner().invoke(plant_copilot, ["read", "mixer1"], env=env | {"PLANT_PLANT_FILE": str(imported[0])})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:]}
    assert lines["state"] == ["running"]
    assert lines["speed"] == ["850", "rpm"]
    assert lines["motor_current"] == ["12.5", "A"]
    assert lines["speed_setpoint"][:2] == ["850", "rpm"]
    some = CliRunner().invoke(plant_copilot, ["read", "DOSINGPUMP", "flow", "state"],
                              env=env | {"PLANT_PLANT_FILE": str(imported[0])})
    assert some.exit_code == 0 and some.output.splitlines()[1:] == ["  flow   118.5 l/h", "  state  running"]


def test_read_names_the_choices_for_an_unknown_machine_or_tag(imported, env):
    env = env | {"PLANT_PLANT_FILE": str(imported[0])}
    machine = CliRunner().invoke(plant_copilot, ["read", "MIXER9"], env=env)
    assert machine.exit_code == 1 and machine.output.strip() == \
        "unknown machine 'MIXER9'; the plant has: MIXER1, DOSINGPUMP"
    tag = CliRunner().invoke(plant_copilot, ["read", "MIXER1", "sped"], env=env)
    assert tag.exit_code == 1 and "has no tag 'sped'; its tags are: state, speed," in tag.output
    assert len(tag.output.strip().splitlines()) == 1


async def test_a_setpoint_written_through_the_copilots_connector_lands_on_the_server(imported, env, plc_server,
                                                                                     draft):
    settings = ConnectorSettings(plant_file=imported[0], opcua_pki_dir=Path(env["PLANT_OPCUA_PKI_DIR"]),
                                 opcua_endpoint=env["PLANT_OPCUA_ENDPOINT"], connect_timeout_s=30,
                                 request_timeout_s=30)
    async with open_plc(settings, draft, "opcua") as plc:
        with pytest.raises(Rejected, match="outside"):
            await plc.write("MIXER1", "speed_setpoint", 1300)  # beyond the limits (the EURange): refused
        written = await plc.write("MIXER1", "speed_setpoint", 900)
        assert (written.old_value, written.new_value) == (850, 900)
    assert node_read(plc_server.url, [SETPOINT]) == {SETPOINT: 900}  # node-opcua's own client reads it back


async def test_the_copilot_on_the_imported_plant_answers_and_changes_through_the_gate(imported, env, plc_server,
                                                                                     tmp_path):
    site = tmp_path / "site"
    made = CliRunner().invoke(plant_copilot, ["init", str(site), "--password", "the-admins-password"])
    assert made.exit_code == 0, made.output
    shutil.copy(imported[0], site / "plant.yaml")  # the draft as imported, no line edited
    shutil.copy(DEMO_SITE / "users.yaml", site / "users.yaml")  # the site's people: an operator and supervisors
    dead = f"http://127.0.0.1:{free_ports(1)[0]}"  # no ERP or MES on this site yet
    connectors = ConnectorSettings(site_dir=site, opcua_pki_dir=Path(env["PLANT_OPCUA_PKI_DIR"]),
                                   opcua_endpoint=env["PLANT_OPCUA_ENDPOINT"], erp_url=dead, mes_url=dead,
                                   connect_timeout_s=30, request_timeout_s=30)
    model = script([call("machine_status_and_diagnosis", machine="MIXER1")],
                   [call("change_setpoints", machine="MIXER1", changes=[{"tag": "speed_setpoint", "to": 1000}])])
    async with Copilot.open(model, settings=CopilotSettings(site_dir=site, data_dir=tmp_path / "data"),
                            connectors=connectors, twin=TwinSettings(site_dir=site)) as copilot:
        status = [s async for s in copilot.ask(user("olga"), "how is mixer 1 doing?", thread_id="t")]
        assert status[-1].kind == "answer" and "MIXER1" in status[-1].text and "rpm" in status[-1].text
        assert not waiting(status)
        steps = [s async for s in copilot.ask(user("olga"), "run mixer 1 at 1000 rpm", thread_id="t")]
        [wait] = waiting(steps)
        assert wait.change == "MIXER1 speed setpoint 900 → 1000 rpm"
        _, more = await copilot.approve(wait.action_id, user("sam"))
        assert not [s for s in more if s.kind == "result"]  # no twin fitted yet: a second person checks
        _, more = await copilot.approve(wait.action_id, user("sara"))
        assert [s.status for s in more if s.kind == "result" and s.tool == "write_setpoint"] == ["done"]
    assert node_read(plc_server.url, [SETPOINT]) == {SETPOINT: 1000}  # on the server, read by node-opcua
