"""Every way an OPC UA connection fails is one line that says what to do, never a traceback (issue #32).

Through `plant-copilot read` (and `plant import`): a client certificate the server does not trust yet (the
simulator's secure endpoint, which answers with a status code, and node-opcua, whose fault asyncua used to meet
with a bare AssertionError), a refused connection, a server that never answers, and a URL that is no OPC UA one.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from plc_server import HAS_PLC_SERVER, WHY_NO_PLC_SERVER, PlcServer, running_plc_server
from typer.testing import CliRunner

from connectors.plc.opcua.pki import Pki, create_application_certificate
from connectors.plc.opcua.session import server_certificate
from connectors.settings import ConnectorSettings, OpcUaSecurity
from connectors.site import DEMO_SITE
from simulator.process import free_ports, settings_env
from ui.cli import app as plant_copilot


def _plant_on(folder: Path, url: str, security: str = "none") -> Path:
    """A one-machine plant file whose PLC is the OPC UA server at ``url``."""
    raw = {"plant": {"id": "t", "name": "T", "opcua_namespace": "urn:t"},
           "plcs": {"plc": {"protocol": "opcua", "url": url, "security": security}},
           "lines": [{"id": "L", "name": "L", "plc": "plc", "machines": [
               {"id": "MX-1", "name": "Mixer", "kind": "mixer", "model": "", "manufacturer": "",
                "tags": {"speed": {"opcua": 'ns=3;s="DB_Mixer"."Speed"', "type": "float64", "unit": "rpm"}}}]}],
           "suppliers": [], "parts": [], "products": [], "production_orders": []}
    path = folder / "plant.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _one_line(result, *wanted: str) -> str:
    """The command failed with exit 1 and one line (no traceback) holding every ``wanted`` text."""
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for text in wanted:
        assert text in lines[0], lines[0]
    return lines[0]


def _pki(folder: Path, *trusted: bytes) -> Pki:
    pki = Pki(folder)
    create_application_certificate(pki)
    for der in trusted:
        pki.trust(der)
    return pki


@pytest.fixture(scope="module")
def distrustful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlcServer]:
    """The node-opcua PLC, trusting no client certificate its admin has not put on its trust list."""
    if not HAS_PLC_SERVER:
        pytest.skip(WHY_NO_PLC_SERVER)
    with running_plc_server(tmp_path_factory.mktemp("distrustful"), free_ports(1)[0], trust_clients=False) as server:
        yield server


def test_the_simulator_refusing_our_certificate_says_which_file_to_trust(sim: ConnectorSettings, sim_work: Path,
                                                                         tmp_path: Path):
    server_der = (sim_work / "data" / "opcua" / "own" / "cert.der").read_bytes()
    pki = _pki(tmp_path / "pki", server_der)  # we trust the server; its admin never trusted us
    env = settings_env(sim) | {"PLANT_OPCUA_SECURITY": "sign_and_encrypt", "PLANT_OPCUA_PKI_DIR": str(pki.root),
                               "PLANT_PLANT_FILE": str(DEMO_SITE / "plant.yaml")}
    result = CliRunner().invoke(plant_copilot, ["read", "P-101", "state"], env=env)
    _one_line(result, "refused the copilot's certificate", str(pki.cert_file), "plant-copilot opcua cert show")


def test_a_node_opcua_server_refusing_our_certificate_is_one_line_not_an_assertion_error(distrustful, tmp_path):
    der = asyncio.run(server_certificate(distrustful.url, OpcUaSecurity.sign_and_encrypt, 30))
    pki = _pki(tmp_path / "pki", der)
    env = {"PLANT_PLANT_FILE": str(_plant_on(tmp_path, distrustful.url, "sign_and_encrypt")),
           "PLANT_OPCUA_PKI_DIR": str(pki.root), "PLANT_CONNECT_TIMEOUT_S": "30"}
    result = CliRunner().invoke(plant_copilot, ["read", "MX-1"], env=env)
    _one_line(result, f"OPC UA server {distrustful.url}", "does not trust it yet", str(pki.cert_file),
              "plant-copilot opcua cert show")
    imported = CliRunner().invoke(plant_copilot, ["plant", "import", distrustful.url],
                                  env=env | {"PLANT_OPCUA_SECURITY": "sign_and_encrypt"})
    _one_line(imported, "does not trust it yet", str(pki.cert_file))
    for rejected in distrustful.rejected_folder().iterdir():  # its admin trusts what it rejected: we are let in
        rejected.rename(distrustful.trust_folder() / rejected.name)
    deadline = time.monotonic() + 60  # node-opcua notices its trust list change on its own time
    while (again := CliRunner().invoke(plant_copilot, ["read", "MX-1"], env=env)).exit_code and \
            time.monotonic() < deadline:
        time.sleep(1)
    assert again.exit_code == 0 and "speed  850 rpm" in again.output, again.output


def test_a_refused_connection_says_to_check_the_host_and_port(tmp_path):
    url = f"opc.tcp://127.0.0.1:{free_ports(1)[0]}/"
    result = CliRunner().invoke(plant_copilot, ["read", "MX-1", "speed"],
                                env={"PLANT_PLANT_FILE": str(_plant_on(tmp_path, url))})
    _one_line(result, f"OPC UA server {url} is unreachable", "check the URL's host and port")


def test_a_server_that_never_answers_is_a_timeout_that_says_what_to_check(tmp_path):
    with socket.socket() as silent:  # the kernel accepts the connection; nobody ever answers on it
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"opc.tcp://127.0.0.1:{silent.getsockname()[1]}/"
        env = {"PLANT_PLANT_FILE": str(_plant_on(tmp_path, url)), "PLANT_CONNECT_TIMEOUT_S": "1"}
        result = CliRunner().invoke(plant_copilot, ["read", "MX-1"], env=env)
    _one_line(result, f"OPC UA server {url} did not answer within 1 s", "OPC UA port", "PLANT_CONNECT_TIMEOUT_S")


def test_import_from_a_url_that_is_no_opc_ua_endpoint_is_refused_in_one_line(tmp_path):
    result = CliRunner().invoke(plant_copilot, ["plant", "import", "http://127.0.0.1:8080/"],
                                env={"PLANT_OPCUA_PKI_DIR": str(tmp_path)})
    _one_line(result, "'http://127.0.0.1:8080/' is not an OPC UA endpoint", "opc.tcp://")
