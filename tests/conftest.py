"""Shared fixtures: the simulated plant as a real process on free loopback ports.

``sim_server`` starts ``python -m simulator`` once per test session with its clock
frozen (time scale 0), so tests are exact and move time only with ``POST /advance``.
``sim`` resets the plant (values, faults, history, ERP and MES data) before each test.
The process dies with the test run: it is terminated at the end of the session, and
the kernel sends it SIGTERM should pytest itself die first.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connectors.settings import ConnectorSettings
from simulator.process import SimulatorDidNotStart, free_ports, running_simulator


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


@pytest.fixture(scope="session")
def sim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """The simulator process for the whole session; yields the settings that reach it."""
    try:
        with running_simulator(tmp_path_factory.mktemp("sim")) as settings:
            yield settings
    except SimulatorDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture
def sim(sim_server: ConnectorSettings) -> ConnectorSettings:
    """The running simulator, back at its start: initial values, no faults, empty history, fresh ERP/MES."""
    response = httpx.post(f"{sim_server.sim_url}/reset", timeout=30)
    assert response.status_code == 200, response.text
    return sim_server
