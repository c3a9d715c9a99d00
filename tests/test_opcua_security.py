"""OPC UA as plants run it, against the simulator's secure endpoint: Basic256Sha256 with the copilot's
certificate to a trusted, pinned server certificate, a named user, writes held to the server's EURange."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from plant_edits import locked, plant_with, tag_of
from pydantic import SecretStr
from typer.testing import CliRunner

from connectors.errors import NotConfigured, Rejected, Untrusted
from connectors.plant import Plant, load_plant
from connectors.plc import open_plc
from connectors.plc.opcua.pki import Pki, create_application_certificate, fingerprint, make_certificate
from connectors.plc.opcua.session import server_certificate
from connectors.settings import ConnectorSettings, OpcUaSecurity
from connectors.site import DEMO_SITE
from twin.settings import TwinSettings
from ui.cli import app as plant_copilot

PLANT = load_plant(DEMO_SITE / "plant.yaml")
SECURE = [OpcUaSecurity.sign, OpcUaSecurity.sign_and_encrypt]


@pytest.fixture(scope="module")
def locked_plant(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    """The demo plant as a plant's admin leaves it: no writes over a session without security."""
    return plant_with(tmp_path_factory.mktemp("locked"), locked)


@pytest.fixture(scope="module")
def server_cert(sim_server: ConnectorSettings, sim_work: Path) -> bytes:
    """The certificate the simulator made for its OPC UA server (what its admin would hand over)."""
    return (sim_work / "data" / "opcua" / "own" / "cert.der").read_bytes()


@pytest.fixture(scope="module")
def password(sim_server: ConnectorSettings, sim_work: Path) -> str:
    return (sim_work / "data" / "opcua" / "password").read_text().strip()


@pytest.fixture(scope="module")
def trusted(tmp_path_factory: pytest.TempPathFactory, server_cert: bytes, sim_work: Path) -> Pki:
    """A PKI folder with the copilot's certificate and the simulator's server certificate trusted; the server
    trusts the copilot's certificate in turn (its admin put it on the server's trust list)."""
    pki = Pki(tmp_path_factory.mktemp("pki"))
    Pki(sim_work / "data" / "opcua").trust(create_application_certificate(pki))
    pki.trust(server_cert)
    return pki


def secure(sim: ConnectorSettings, pki: Pki, password: str, mode: OpcUaSecurity = OpcUaSecurity.sign_and_encrypt,
           user: str = "operator") -> ConnectorSettings:
    return sim.model_copy(update={"opcua_security": mode, "opcua_pki_dir": pki.root, "opcua_username": user,
                                  "opcua_password": SecretStr(password)})


@pytest.mark.parametrize("mode", SECURE)
async def test_a_secure_session_reads_and_writes(sim, trusted, password, locked_plant, mode):
    async with open_plc(secure(sim, trusted, password, mode), locked_plant, "opcua") as plc, \
            open_plc(sim, locked_plant, "modbus") as modbus:
        assert (await plc.read("HP-102", "pressure_setpoint")).value == 160
        result = await plc.write("HP-102", "pressure_setpoint", 170)
        assert (result.old_value, result.new_value) == (160, 170)
        assert (await modbus.read("HP-102", "pressure_setpoint")).value == 170


async def test_the_server_certificate_fetched_is_the_one_the_server_holds(sim, server_cert):
    assert await server_certificate(sim.opcua_url, OpcUaSecurity.sign_and_encrypt, 5) == server_cert


async def test_an_untrusted_server_is_refused_with_how_to_trust_it(sim, tmp_path, password, server_cert):
    pki = Pki(tmp_path)
    create_application_certificate(pki)
    other = make_certificate(tmp_path / "other" / "cert.der", tmp_path / "other" / "key.pem", "urn:another:server",
                             server=True)
    pki.trust(other)  # a trust list that holds another server's certificate does not trust this one
    async with open_plc(secure(sim, pki, password), PLANT, "opcua") as plc:
        with pytest.raises(Untrusted) as refused:
            await plc.read("HP-102", "pressure_setpoint")
    message = str(refused.value)
    assert f"run `plant-copilot opcua trust {sim.opcua_url}`" in message
    assert fingerprint(server_cert) in message


async def test_the_secure_endpoint_refuses_a_client_certificate_it_does_not_trust(sim, sim_work, tmp_path,
                                                                                   server_cert, password):
    stranger = Pki(tmp_path)
    der = create_application_certificate(stranger)  # a copilot the server's admin never trusted
    stranger.trust(server_cert)  # though it trusts the server
    async with open_plc(secure(sim, stranger, password), PLANT, "opcua") as plc:
        with pytest.raises(Rejected, match=r"refused the copilot's certificate \(BadCertificateUntrusted\): its admin "
                                           r"must trust .*cert\.der"):
            await plc.read("HP-102", "pressure_setpoint")
    path = Pki(sim_work / "data" / "opcua").trust(der)  # the admin trusts it: the same client is let in
    try:
        async with open_plc(secure(sim, stranger, password), PLANT, "opcua") as plc:
            assert (await plc.read("HP-102", "pressure_setpoint")).value == 160
    finally:
        path.unlink()


@pytest.mark.parametrize(("user", "given"), [("operator", "not-the-password"), ("intruder", None)])
async def test_a_wrong_user_or_password_is_refused(sim, trusted, password, user, given):
    settings = secure(sim, trusted, given or password, user=user)
    async with open_plc(settings, PLANT, "opcua") as plc:
        with pytest.raises(Rejected, match=f"refused user '{user}'.*PLANT_OPCUA_USERNAME and PLANT_OPCUA_PASSWORD"):
            await plc.read("P-101", "state")


async def test_a_write_without_security_is_refused_unless_the_plant_file_allows_it(sim, locked_plant):
    async with open_plc(sim, locked_plant, "opcua") as plc:
        assert (await plc.read("HP-102", "pressure_setpoint")).value == 160  # reading is fine
        with pytest.raises(Rejected, match="not written over OPC UA without security.*PLANT_OPCUA_SECURITY"):
            await plc.write("HP-102", "pressure_setpoint", 170)
        assert (await plc.read("HP-102", "pressure_setpoint")).value == 160
    async with open_plc(sim, PLANT, "opcua") as plc:  # plants/riverside/plant.yaml allows it, for the demo
        assert (await plc.write("HP-102", "pressure_setpoint", 170)).new_value == 170


async def test_a_write_inside_the_plant_limits_but_outside_the_eurange_is_refused(sim, trusted, password, tmp_path):
    def wider(raw: dict) -> None:
        locked(raw)
        tag_of(raw, "HP-102", "pressure_setpoint").update(max=240, max_step=100)

    plant = plant_with(tmp_path, wider)
    async with open_plc(secure(sim, trusted, password), plant, "opcua") as plc:
        with pytest.raises(Rejected, match=r"220 is outside the range 80\.\.210 bar that OPC UA server .* declares"):
            await plc.write("HP-102", "pressure_setpoint", 220)
        assert (await plc.read("HP-102", "pressure_setpoint")).value == 160
        assert (await plc.write("HP-102", "pressure_setpoint", 210)).new_value == 210  # the server's edge is inside


async def test_a_secure_session_needs_the_copilots_certificate(sim, tmp_path, password):
    async with open_plc(secure(sim, Pki(tmp_path), password), PLANT, "opcua") as plc:
        with pytest.raises(NotConfigured, match="run `plant-copilot opcua cert create`"):
            await plc.read("P-101", "state")


def test_cert_create_makes_a_private_key_only_its_owner_reads(tmp_path):
    env = {"PLANT_OPCUA_PKI_DIR": str(tmp_path)}
    made = CliRunner().invoke(plant_copilot, ["opcua", "cert", "create"], env=env)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE((tmp_path / "own" / "key.pem").stat().st_mode) == 0o600
    again = CliRunner().invoke(plant_copilot, ["opcua", "cert", "create"], env=env)
    assert again.exit_code == 1 and "--replace" in again.output


def test_trust_stores_the_server_certificate_only_with_its_fingerprint(sim, tmp_path, server_cert):
    env = {"PLANT_OPCUA_PKI_DIR": str(tmp_path)}
    wrong = CliRunner().invoke(plant_copilot, ["opcua", "trust", sim.opcua_url, "--fingerprint", "00:11"], env=env)
    assert wrong.exit_code == 1 and "not trusted" in wrong.output
    assert not Pki(tmp_path).is_trusted(server_cert)
    right = CliRunner().invoke(plant_copilot, ["opcua", "trust", sim.opcua_url,
                                               "--fingerprint", fingerprint(server_cert).lower()], env=env)
    assert right.exit_code == 0, right.output
    assert Pki(tmp_path).is_trusted(server_cert)



@pytest.mark.asyncio
async def test_the_gate_denies_a_write_outside_the_servers_eurange_before_any_connector_write(sim, tmp_path):
    from agent_helpers import user

    from copilot.agent.status import Status
    from copilot.llm.absent import NoModel
    from copilot.service import Copilot
    from copilot.settings import CopilotSettings

    plant_with(tmp_path, lambda raw: tag_of(raw, "HP-102", "pressure_setpoint").update(max=240, max_step=100))
    wider = sim.model_copy(update={"plant_file": tmp_path / "plant.yaml"})
    async with Copilot.open(NoModel(), settings=CopilotSettings(data_dir=tmp_path / "data"), connectors=wider,
                            twin=TwinSettings()) as copilot:
        denied = await copilot.call_tool(user("sam"), "write_setpoint",
                                         {"machine_id": "HP-102", "tag": "pressure_setpoint", "value": 220})
        assert denied.status is Status.denied, denied.text
        assert "HP-102 pressure_setpoint 220 bar is above the limit 210 bar" in denied.text  # the server's, not 240
        assert not copilot.audit_records(kind="execution")  # judged in the gate: the connector was never asked
        assert (await copilot.rt.deps.plc.read("HP-102", "pressure_setpoint")).value == 160
