"""The simulator as a child process on free loopback ports: for tests, benchmarks and evals.

The child dies with its parent (Linux sends it SIGTERM should the parent go first),
and is terminated when the context ends, so no plant outlives the run that started it.
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

from connectors.settings import ConnectorSettings
from connectors.site import REPO

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


class SimulatorDidNotStart(RuntimeError):
    """The child exited or did not answer in time; the message carries its log."""


def free_ports(n: int) -> list[int]:
    """``n`` distinct TCP ports on 127.0.0.1 that nothing listens on right now."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(n)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> None:
    """In the child before exec: ask Linux to send it ``sig`` when the parent goes away (a server that ends
    its clients' sessions on SIGTERM first, as PostgreSQL does, is given SIGINT)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _wait_until_ready(proc: subprocess.Popen, settings: ConnectorSettings, log: Path) -> None:
    ports = [settings.modbus_port, settings.opcua_port, settings.erp_port, settings.mes_port, settings.sim_port,
             settings.camera_port, settings.plm_port]
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SimulatorDidNotStart(f"the simulator exited with code {proc.returncode}:\n{log.read_text()}")
        if all(_answers(p) for p in ports):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{settings.sim_url}/health", timeout=2).status_code == 200:
                    return
        time.sleep(0.1)
    raise SimulatorDidNotStart(f"no answer on ports {ports} within {STARTUP_TIMEOUT_S:g} s:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a child: SIGTERM, then SIGKILL if it has not ended within STOP_TIMEOUT_S."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def settings_env(settings: ConnectorSettings) -> dict[str, str]:
    """The PLANT_* variables that point a process (the simulator, a CLI) at ``settings``."""
    return {
        "PLANT_PLANT_FILE": str(settings.plant_file),
        "PLANT_HOST": settings.host,
        "PLANT_MODBUS_PORT": str(settings.modbus_port),
        "PLANT_OPCUA_PORT": str(settings.opcua_port),
        "PLANT_ERP_PORT": str(settings.erp_port),
        "PLANT_MES_PORT": str(settings.mes_port),
        "PLANT_ERP_URL": settings.erp_url,
        "PLANT_MES_URL": settings.mes_url,
        "PLANT_SIM_PORT": str(settings.sim_port),
        "PLANT_CAMERA_PORT": str(settings.camera_port),
        "PLANT_CAMERA_URL": settings.camera_url,
        "PLANT_PLM_FILE": str(settings.plm_file),
        "PLANT_PLM_PORT": str(settings.plm_port),
        "PLANT_PLM_URL": settings.plm_url,
    }


@contextlib.contextmanager
def running_simulator(work: Path, *, seed: int = 0, time_scale: float = 0.0,
                      plant_file: Path | None = None,
                      at: ConnectorSettings | None = None, history_hours: float = 2.0,
                      mqtt: tuple[str, str, str] | None = None,
                      mqtt_login: tuple[str, str] | None = None,
                      influxdb: tuple[str, str] | None = None) -> Iterator[ConnectorSettings]:
    """Start ``python -m simulator`` on free ports with its data in ``work``; yield the settings that reach it.

    With ``time_scale`` 0 its clock is frozen and moves only with ``POST /advance``: exact, repeatable runs.
    ``at`` serves it on those settings' ports instead (the demo, on the well-known ports the CLI expects).
    ``history_hours`` is how far back its historian keeps samples (a twin is fitted from a simulated day).
    ``mqtt`` (broker HOST:PORT, group, edge node) also publishes its tags there as Sparkplug B, as the user and
    password of ``mqtt_login`` when given. ``influxdb`` (its URL, a database) also gets every historian sample.
    """
    if at is None:
        modbus, opcua, erp, mes, control, camera, plm = free_ports(7)
        chosen = {"plant_file": plant_file} if plant_file else {}
        settings = ConnectorSettings(**chosen, host="127.0.0.1", modbus_port=modbus, opcua_port=opcua,
                                     erp_port=erp, mes_port=mes, sim_port=control, camera_port=camera,
                                     plm_port=plm)
    else:
        settings = at
    work.mkdir(parents=True, exist_ok=True)
    log = work / "simulator.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANT_")} | settings_env(settings)
    command = [sys.executable, "-m", "simulator", "--seed", str(seed), "--time-scale", str(time_scale),
               "--data-dir", str(work / "data"), "--history-hours", str(history_hours)]
    if mqtt is not None:
        broker, group, edge_node = mqtt
        command += ["--mqtt-broker", broker]
        env |= {"PLANT_SIM_MQTT_GROUP": group, "PLANT_SIM_MQTT_EDGE_NODE": edge_node}
        if mqtt_login is not None:
            env |= {"PLANT_SIM_MQTT_USERNAME": mqtt_login[0], "PLANT_SIM_MQTT_PASSWORD": mqtt_login[1]}
    if influxdb is not None:
        env |= {"PLANT_SIM_INFLUXDB_URL": influxdb[0], "PLANT_SIM_INFLUXDB_DATABASE": influxdb[1]}
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        _wait_until_ready(proc, settings, log)
        yield settings
    finally:
        stop(proc)
