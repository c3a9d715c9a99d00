"""Shared fixtures: the simulated plant as a real process on free loopback ports.

``sim_server`` starts ``python -m simulator`` once per test session with its clock
frozen (time scale 0), so tests are exact and move time only with ``POST /advance``.
``sim`` resets the plant (values, faults, history, ERP and MES data) before each test.
The process dies with the test run: it is terminated at the end of the session, and
the kernel sends it SIGTERM should pytest itself die first.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connectors.settings import REPO_CONFIG, ConnectorSettings

REPO = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """``n`` distinct free ports (all held open while choosing, so none repeats)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(n)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM it when the test process goes away."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _wait_until_ready(proc: subprocess.Popen, settings: ConnectorSettings, log: Path) -> None:
    ports = [settings.modbus_port, settings.opcua_port, settings.erp_port, settings.mes_port, settings.sim_port]
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the simulator exited with code {proc.returncode} while starting:\n{log.read_text()}")
        if all(_answers(p) for p in ports):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{settings.sim_url}/health", timeout=2).status_code == 200:
                    return
        time.sleep(0.1)
    pytest.fail(f"the simulator did not answer on ports {ports} within {STARTUP_TIMEOUT_S:g} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def sim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """The simulator process for the whole session; yields the settings that reach it."""
    modbus, opcua, erp, mes, control = free_ports(5)
    settings = ConnectorSettings(
        plant_file=REPO_CONFIG / "plant.yaml", host="127.0.0.1",
        modbus_port=modbus, opcua_port=opcua, erp_port=erp, mes_port=mes, sim_port=control,
    )
    work = tmp_path_factory.mktemp("sim")
    log = work / "simulator.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANT_")}
    env |= {
        "PLANT_PLANT_FILE": str(settings.plant_file),
        "PLANT_HOST": settings.host,
        "PLANT_MODBUS_PORT": str(modbus),
        "PLANT_OPCUA_PORT": str(opcua),
        "PLANT_ERP_PORT": str(erp),
        "PLANT_MES_PORT": str(mes),
        "PLANT_SIM_PORT": str(control),
    }
    command = [sys.executable, "-m", "simulator", "--seed", "0", "--time-scale", "0", "--data-dir", str(work / "data")]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    try:
        _wait_until_ready(proc, settings, log)
        yield settings
    finally:
        _stop(proc)


@pytest.fixture
def sim(sim_server: ConnectorSettings) -> ConnectorSettings:
    """The running simulator, back at its start: initial values, no faults, empty history, fresh ERP/MES."""
    response = httpx.post(f"{sim_server.sim_url}/reset", timeout=30)
    assert response.status_code == 200, response.text
    return sim_server
