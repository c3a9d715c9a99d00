"""Shared fixtures: the simulated plant as a real process on free loopback ports.

``sim_server`` starts ``python -m simulator`` once per test session with its clock
frozen (time scale 0), so tests are exact and move time only with ``POST /advance``.
``sim`` resets the plant (values, faults, history, ERP and MES data) before each test.
The process dies with the test run: it is terminated at the end of the session, and
the kernel sends it SIGTERM should pytest itself die first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from plc_server import HAS_PLC_SERVER, WHY_NO_PLC_SERVER, PlcServer, running_plc_server

from connectors.settings import ConnectorSettings
from copilot.store.db import Dialect, Location
from simulator.process import SimulatorDidNotStart, free_ports, running_simulator
from ui.local_postgres import PostgresUnavailable, Server, running_postgres


@pytest.fixture(scope="session", autouse=True)
def keys_outside_the_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The audit key and the kept audit heads live outside every data folder, as in a plant; here in a
    folder of the test session (also for the processes the tests start), never in the home directory."""
    keys = tmp_path_factory.mktemp("keys")
    saved = {k: os.environ.get(k) for k in ("COPILOT_AUDIT_KEY_FILE", "COPILOT_AUDIT_HEADS_DIR")}
    os.environ["COPILOT_AUDIT_KEY_FILE"] = str(keys / "audit.key")
    os.environ["COPILOT_AUDIT_HEADS_DIR"] = str(keys / "audit-heads")
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def main_module_restored() -> Iterator[None]:
    """Streamlit's script runner (AppTest) installs the app's script as ``__main__`` and leaves it there; put back
    after each test, or every process a later test starts with spawn would run the app's script first."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """A PostgreSQL server of this session (started by the first test that needs it); skipped, saying why,
    where PostgreSQL is not installed."""
    try:
        with running_postgres(free_port()) as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))


@dataclass(frozen=True)
class TestDatabase:
    """The backend a durable-state test runs on: SQLite files in its folder, or a fresh PostgreSQL database."""

    dialect: Dialect
    url: str | None  # COPILOT_DATABASE_URL, set for the test and the processes it starts

    def location(self, path: Path) -> Location:
        """Where a store opened by hand keeps its tables: the file ``path``, or the test's database."""
        return path if self.url is None else self.url


@pytest.fixture(params=[Dialect.sqlite, Dialect.postgresql], ids=str)
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> TestDatabase:
    """Each durable-state test twice: on SQLite (the embedded default) and on PostgreSQL."""
    if request.param is Dialect.sqlite:
        monkeypatch.delenv("COPILOT_DATABASE_URL", raising=False)
        return TestDatabase(Dialect.sqlite, None)
    url = request.getfixturevalue("postgres_server").new_database()
    monkeypatch.setenv("COPILOT_DATABASE_URL", url)
    return TestDatabase(Dialect.postgresql, url)


@pytest.fixture(scope="session")
def sim_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session simulator's folder: its log, and in data/ its ERP and MES files and its OPC UA certificate."""
    return tmp_path_factory.mktemp("sim")


@pytest.fixture(scope="session")
def sim_server(sim_work: Path) -> Iterator[ConnectorSettings]:
    """The simulator process for the whole session; yields the settings that reach it."""
    try:
        with running_simulator(sim_work) as settings:
            yield settings
    except SimulatorDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def plc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlcServer]:
    """A PLC-shaped node-opcua server nobody on the project wrote (tests/plc_server.py), for a test module; it
    trusts any client certificate. Skipped, saying why, where node-opcua-server is not installed."""
    if not HAS_PLC_SERVER:
        pytest.skip(WHY_NO_PLC_SERVER)
    with running_plc_server(tmp_path_factory.mktemp("plc-server"), free_port()) as server:
        yield server


@pytest.fixture
def sim(sim_server: ConnectorSettings) -> ConnectorSettings:
    """The running simulator, back at its start: initial values, no faults, empty history, fresh ERP/MES."""
    response = httpx.post(f"{sim_server.sim_url}/reset", timeout=30)
    assert response.status_code == 200, response.text
    return sim_server
