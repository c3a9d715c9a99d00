"""The simulator process: the physics clock and every service of the simulated plant on loopback.

One event loop runs the Modbus TCP server, the OPC UA server, the ERP, MES, PLM, camera and control
HTTP apps (uvicorn) and the clock that advances the physics. They share one
``PlantSimulation`` and one ``FaultBoard``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from connectors.plant import Plant
from connectors.plm_file import PlmFileError
from connectors.settings import ConnectorSettings
from simulator.camera import CameraService, create_camera_app
from simulator.control import create_control_app
from simulator.erp import create_erp_app
from simulator.faults import FaultBoard
from simulator.influx_feed import InfluxFeed, InfluxTarget
from simulator.mes import create_mes_app
from simulator.modbus_server import start_modbus_server
from simulator.opcua_server import start_opcua_server, user_from
from simulator.physics import PlantSimulation
from simulator.plm import create_plm_app, plm_catalogue
from simulator.sparkplug_edge import EdgeNode, Publishing

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 5.0


class SimulatorError(RuntimeError):
    """The simulator could not start (a port in use, a service that failed); the message says which."""


@dataclass(frozen=True)
class Listener:
    """A service of the simulated plant: its name, where it listens, and the setting that moves it."""

    name: str
    address: str
    env: str  # the setting that moves it


def listeners(settings: ConnectorSettings) -> list[Listener]:
    """Where each service of the simulated plant listens, and which setting moves it."""
    return [
        Listener("Modbus TCP", f"{settings.host}:{settings.modbus_port}", "PLANT_MODBUS_PORT"),
        Listener("OPC UA", settings.opcua_url, "PLANT_OPCUA_PORT"),
        Listener("ERP", f"http://{settings.host}:{settings.erp_port}", "PLANT_ERP_PORT"),  # not PLANT_ERP_URL:
        Listener("MES", f"http://{settings.host}:{settings.mes_port}", "PLANT_MES_PORT"),  # where it serves
        Listener("control", settings.sim_url, "PLANT_SIM_PORT"),
        Listener("cameras", f"http://{settings.host}:{settings.camera_port}", "PLANT_CAMERA_PORT"),
        Listener("PLM", f"http://{settings.host}:{settings.plm_port}", "PLANT_PLM_PORT"),
    ]


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the runner (several share one process)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _FreshOnReset:
    """An ERP or MES app that a plant reset rebuilds on a new, freshly seeded SQLite file."""

    def __init__(self, build: Callable[[Path], FastAPI], db_path: Path) -> None:
        self._build = build
        self._db_path = db_path
        self.app = build(db_path)

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            self._db_path.with_name(self._db_path.name + suffix).unlink(missing_ok=True)
        self.app = self._build(self._db_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _bind(host: str, port: int, what: str, env: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SimulatorError(f"cannot listen for the {what} on {host}:{port} ({exc.strerror}); "
                             f"free the port or set {env}") from None
    return sock


async def serve(
    settings: ConnectorSettings,
    *,
    seed: int = 0,
    time_scale: float = 1.0,
    data_dir: Path,
    tick_s: float = 0.5,
    history_s: float = 7200.0,
    ready: asyncio.Event | None = None,
    opcua_username: str = "operator",
    opcua_password: str | None = None,
    mqtt: Publishing | None = None,
    influxdb: InfluxTarget | None = None,
) -> None:
    """Run the simulated plant until cancelled.

    ``time_scale`` simulated seconds pass per wall second; 0 freezes the clock so that only
    the control API's ``/advance`` moves it (tests and evals, which must be exact).
    ``history_s`` is how far back the historian keeps samples.
    ``ready`` is set once every service accepts connections. The OPC UA server keeps its certificate
    and, unless ``opcua_password`` is given, its user's password in ``data_dir/opcua``. ``mqtt`` also
    publishes the tags as a Sparkplug B edge node on that broker (it need not be up yet: it is retried);
    ``influxdb`` writes every historian sample to that InfluxDB (retried likewise).
    """
    if time_scale < 0 or tick_s <= 0:
        raise ValueError("time_scale must be >= 0 and tick_s > 0")
    plant = settings.load_plant()
    _check_modbus_mapped(settings, plant)
    faults = FaultBoard()
    sim = PlantSimulation(plant, faults, seed, history_s=history_s)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        cameras = CameraService(plant, sim, seed)
    except ValueError as exc:
        raise SimulatorError(f"{settings.plant_file}: {exc}") from None
    apps = [*_http_apps(settings, plant, faults, sim, data_dir, cameras), _plm_app(settings, plant, faults)]
    async with contextlib.AsyncExitStack() as stack:
        # Claim every port before starting anything, so that a clash is one clear error.
        for what, env, port in (("Modbus server", "PLANT_MODBUS_PORT", settings.modbus_port),
                                ("OPC UA server", "PLANT_OPCUA_PORT", settings.opcua_port)):
            _bind(settings.host, port, what, env).close()
        sockets = [stack.enter_context(_bind(settings.host, port, what, env)) for what, env, port, _ in apps]
        await _start_plc_servers(stack, sim, plant, settings, data_dir / "opcua", opcua_username, opcua_password)
        tasks = await _start_http(stack, apps, sockets)
        if mqtt is not None:
            edge = asyncio.create_task(EdgeNode(sim, plant, mqtt, tick_s).run(), name="Sparkplug B edge node")
            stack.push_async_callback(_cancel, edge)
            tasks = [*tasks, edge]
        if influxdb is not None:
            feed = asyncio.create_task(InfluxFeed(sim, influxdb, tick_s).run(), name="InfluxDB feed")
            stack.push_async_callback(_cancel, feed)
            tasks = [*tasks, feed]
        log.info("simulated plant %s ready (seed %d, time scale %g)", plant.plant.id, seed, time_scale)
        if ready is not None:
            ready.set()
        await _run_clock(sim, time_scale, tick_s, tasks)


_HttpApp = tuple[str, str, int, ASGIApp]  # what, the setting that moves it, port, app


def _check_modbus_mapped(settings: ConnectorSettings, plant: Plant) -> None:
    """Raise ``SimulatorError`` naming tags without a Modbus address: the simulator serves every tag over Modbus."""
    unmapped = [t.key for t in plant.all_tags() if t.modbus is None]
    if unmapped:
        raise SimulatorError(f"the simulator serves every tag over Modbus too; these have no modbus address in "
                             f"{settings.plant_file}: {', '.join(unmapped[:5])}")


def _http_apps(settings: ConnectorSettings, plant: Plant, faults: FaultBoard, sim: PlantSimulation,
               data_dir: Path, cameras: CameraService) -> list[_HttpApp]:
    """The ERP, MES, control and camera apps with their ports; a plant reset gives ERP and MES fresh databases
    and empties the cameras."""
    erp = _FreshOnReset(lambda path: create_erp_app(path, plant, faults), data_dir / "erp.sqlite")
    mes = _FreshOnReset(lambda path: create_mes_app(path, plant, faults, sim), data_dir / "mes.sqlite")

    def reset_services() -> None:
        erp.reset()
        mes.reset()
        cameras.reset()

    return [
        ("ERP", "PLANT_ERP_PORT", settings.erp_port, erp),
        ("MES", "PLANT_MES_PORT", settings.mes_port, mes),
        ("control API", "PLANT_SIM_PORT", settings.sim_port, create_control_app(sim, on_reset=reset_services)),
        ("camera service", "PLANT_CAMERA_PORT", settings.camera_port, create_camera_app(cameras)),
    ]


def _plm_app(settings: ConnectorSettings, plant: Plant, faults: FaultBoard) -> _HttpApp:
    """The PLM app over the site's PLM file with its port; SimulatorError names the file's mistakes."""
    try:
        catalogue = plm_catalogue(settings.plm_file, plant)
    except PlmFileError as exc:
        raise SimulatorError(str(exc)) from None
    return ("PLM", "PLANT_PLM_PORT", settings.plm_port, create_plm_app(catalogue, faults))


async def _start_plc_servers(stack: contextlib.AsyncExitStack, sim: PlantSimulation, plant: Plant,
                             settings: ConnectorSettings, pki_dir: Path, opcua_username: str,
                             opcua_password: str | None) -> None:
    """Start the Modbus TCP and OPC UA servers, each stopped when ``stack`` closes."""
    modbus = await start_modbus_server(sim, plant, settings.host, settings.modbus_port)
    stack.push_async_callback(modbus.stop)
    opcua = await start_opcua_server(sim, plant, settings.opcua_url, pki_dir=pki_dir,
                                     user=user_from(opcua_username, opcua_password, pki_dir))
    stack.push_async_callback(opcua.stop)


async def _start_http(stack: contextlib.AsyncExitStack, apps: list[_HttpApp],
                      sockets: list[socket.socket]) -> list[asyncio.Task[None]]:
    """Serve each app on its bound socket; returns once all accept connections, stopped when ``stack`` closes."""
    servers = [
        _Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False,
                               timeout_graceful_shutdown=2))
        for *_, app in apps
    ]
    tasks = [asyncio.create_task(s.serve(sockets=[sock]), name=f"uvicorn {what}")
             for s, sock, (what, *_) in zip(servers, sockets, apps, strict=True)]
    stack.push_async_callback(_stop_http, servers, tasks)
    await _until_started(servers, tasks)
    return tasks


async def _until_started(servers: list[_Server], tasks: list[asyncio.Task[None]]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_TIMEOUT_S
    while not all(s.started for s in servers):
        for task in tasks:
            if task.done():
                raise SimulatorError(f"{task.get_name()} stopped while starting: {_failure(task)}")
        if loop.time() > deadline:
            raise SimulatorError(f"HTTP services did not start within {STARTUP_TIMEOUT_S:g} s")
        await asyncio.sleep(0.02)


async def _run_clock(sim: PlantSimulation, time_scale: float, tick_s: float, tasks: list[asyncio.Task[None]]) -> None:
    """Advance the physics with the wall clock (if it runs at all) while the HTTP services live."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    while True:
        done, _ = await asyncio.wait(tasks, timeout=tick_s, return_when=asyncio.FIRST_COMPLETED)
        if done:
            task = done.pop()
            raise SimulatorError(f"{task.get_name()} stopped: {_failure(task)}")
        now = loop.time()
        if time_scale > 0:
            sim.tick((now - last) * time_scale)
        last = now


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _failure(task: asyncio.Task[None]) -> str:
    if task.cancelled():
        return "cancelled"
    exc = task.exception()
    return repr(exc) if exc else "exited"


async def _stop_http(servers: list[_Server], tasks: list[asyncio.Task[None]]) -> None:
    for server in servers:
        server.should_exit = True
    _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_TIMEOUT_S)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run_until_signal(settings: ConnectorSettings, *, seed: int, time_scale: float, data_dir: Path,
                     history_s: float = 7200.0, on_ready: Callable[[], None] | None = None,
                     opcua_username: str = "operator", opcua_password: str | None = None,
                     mqtt: Publishing | None = None, influxdb: InfluxTarget | None = None) -> None:
    """Serve in this process until SIGINT or SIGTERM, then shut every service down cleanly."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        task = asyncio.create_task(serve(settings, seed=seed, time_scale=time_scale, data_dir=data_dir,
                                         history_s=history_s, ready=ready, opcua_username=opcua_username,
                                         opcua_password=opcua_password, mqtt=mqtt, influxdb=influxdb))
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        waiter = asyncio.create_task(ready.wait())
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
        if ready.is_set() and on_ready is not None:
            on_ready()
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(main())
