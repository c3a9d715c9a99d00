"""The plant's in-line cameras: a shot of a part every few simulated seconds, served over HTTP as a smart camera is.

Each station of the plant file's ``cameras:`` photographs the parts of the machine it follows while that machine
runs: moulded housings after an injection moulder, dyed fabric after a jet dyer. What each shows is drawn from
the machine's true state at that instant (``simulator.part_images``, ``simulator.fabric_images``), from the
camera's own random stream, so the PLC's measurement noise is the same with or without cameras.
A station keeps its last ``KEEP`` shots; a plant reset forgets them.

    GET /api/v1/cameras                              the stations (StationInfo)
    GET /api/v1/cameras/{station}/shots?after=SEQ    its shots after SEQ, oldest first (Shot, with the truth)
    GET /api/v1/cameras/{station}/shots/{id}         one shot's PNG
    GET /api/v1/cameras/{station}/latest             the newest shot's PNG
A PNG answer carries its shot in headers: X-Inspection-Id, X-Seq, X-Station, X-Machine-Id, X-Line-Id,
X-Material-Lot, X-Sim-Time and X-Label (the ground truth).
"""

from __future__ import annotations

import io
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from PIL import Image

from connectors.errors import NotFound
from connectors.plant import Plant
from connectors.shots import DefectClass, Shot, StationInfo, Subject
from connectors.stations import CameraStation
from simulator.fabric_images import DyeingState, render_swatch, shade_odds
from simulator.part_images import MouldingState, defect_odds, draw_class, render_part
from simulator.physics import PlantSimulation, Process

__all__ = ["KEEP", "SUBJECTS", "CameraService", "create_camera_app", "png"]

KEEP = 500  # shots a station remembers


@dataclass(frozen=True)
class _Look:
    """How a camera after one kind of machine sees its output: the subject, its odds from the machine's state,
    and the renderer."""

    subject: Subject
    odds: Callable[[Process], dict[DefectClass, float]]
    render: Callable[[DefectClass, np.random.Generator], np.ndarray]


def _moulded(process: Process) -> dict[DefectClass, float]:
    v, c = process.values, process.conditions
    return defect_odds(MouldingState(v["barrel_temp"], v["hold_pressure_setpoint"], c.bad_material, c.tool_worn))


def _dyed(process: Process) -> dict[DefectClass, float]:
    v = process.values
    return shade_odds(DyeingState(v["shade_deviation"], v["heating_rate_setpoint"], process.conditions.tool_worn))


SUBJECTS = {"injection_moulder": _Look(Subject.housing, _moulded, render_part),
            "jet_dyer": _Look(Subject.fabric, _dyed, render_swatch)}  # machine kind -> how its output looks


@dataclass
class _Station:
    spec: CameraStation
    look: _Look
    rng: np.random.Generator
    next_at: float = 0.0
    seq: int = 0
    shots: deque[tuple[Shot, np.ndarray]] = field(default_factory=lambda: deque(maxlen=KEEP))


class CameraService:
    """The plant's camera stations over one simulation; thread-safe."""

    def __init__(self, plant: Plant, sim: PlantSimulation, seed: int = 0) -> None:
        for spec in plant.cameras:
            kind = plant.machine(spec.follows).kind
            if kind not in SUBJECTS:
                raise ValueError(f"camera {spec.id} follows {spec.follows}, a {kind}; the simulator draws what "
                                 f"these make: {', '.join(SUBJECTS)}")
        self.plant = plant
        self.sim = sim
        self.seed = seed
        self._lock = threading.Lock()
        self.reset()
        sim.watch(self.observe)

    def reset(self) -> None:
        """Forget every shot and restart each station's random stream (the plant was reset)."""
        with self._lock:
            self._stations = {
                spec.id.upper(): _Station(spec, SUBJECTS[self.plant.machine(spec.follows).kind],
                                          np.random.default_rng([self.seed, i]), next_at=spec.every_s)
                for i, spec in enumerate(self.plant.cameras)
            }

    def observe(self, sim_time: float) -> None:
        """After a physics step: each station whose time has come photographs the part its machine just made."""
        for station in self._stations.values():
            if sim_time + 1e-9 < station.next_at:
                continue
            while station.next_at <= sim_time + 1e-9:
                station.next_at += station.spec.every_s
            process = self.sim.process(station.spec.follows)
            if not process.conditions.running:
                continue
            label = draw_class(station.look.odds(process), station.rng)
            image = station.look.render(label, station.rng)
            with self._lock:
                station.seq += 1
                shot = Shot(id=f"{station.spec.id}-{station.seq:06d}", seq=station.seq, station=station.spec.id,
                            machine_id=station.spec.follows, line_id=station.spec.line,
                            material_lot=process.text.get("material_lot", ""), sim_time=round(sim_time, 3),
                            label=label)
                station.shots.append((shot, image))

    def _station(self, station_id: str) -> _Station:
        station = self._stations.get(station_id.strip().upper())
        if station is None:
            known = ", ".join(s.spec.id for s in self._stations.values()) or "none"
            raise NotFound(f"unknown camera station {station_id!r}; the plant has: {known}")
        return station

    def stations(self) -> list[StationInfo]:
        with self._lock:
            return [StationInfo(id=s.spec.id, name=s.spec.name, line_id=s.spec.line, machine_id=s.spec.follows,
                                subject=s.look.subject, every_s=s.spec.every_s, last_seq=s.seq)
                    for s in self._stations.values()]

    def shots(self, station_id: str, after: int = 0, limit: int = 100) -> list[Shot]:
        """The station's shots numbered after ``after`` that it still keeps, oldest first, at most ``limit``."""
        with self._lock:
            station = self._station(station_id)
            return [shot for shot, _ in station.shots if shot.seq > after][:limit]

    def image(self, station_id: str, shot_id: str | None = None) -> tuple[Shot, np.ndarray]:
        """One shot and its image: ``shot_id``'s, or the newest."""
        with self._lock:
            station = self._station(station_id)
            if shot_id is None:
                if not station.shots:
                    raise NotFound(f"camera {station.spec.id} has taken no picture yet "
                                   f"(one every {station.spec.every_s:g} s while {station.spec.follows} runs)")
                return station.shots[-1]
            for shot, image in station.shots:
                if shot.id.upper() == shot_id.strip().upper():
                    return shot, image
        raise NotFound(f"camera {station.spec.id} keeps no shot {shot_id!r} (it keeps its last {KEEP})")


def png(image: np.ndarray) -> bytes:
    """A greyscale image encoded as PNG."""
    out = io.BytesIO()
    Image.fromarray(image, mode="L").save(out, format="PNG")
    return out.getvalue()


def _picture(shot: Shot, image: np.ndarray) -> Response:
    headers = {"X-Inspection-Id": shot.id, "X-Seq": str(shot.seq), "X-Station": shot.station,
               "X-Machine-Id": shot.machine_id,
               "X-Line-Id": shot.line_id, "X-Material-Lot": shot.material_lot, "X-Sim-Time": f"{shot.sim_time:g}",
               "X-Label": shot.label.value}
    return Response(png(image), media_type="image/png", headers=headers)


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


def create_camera_app(cameras: CameraService) -> FastAPI:
    """The cameras' HTTP service (see the module's docstring for its routes)."""
    app = FastAPI(title="In-line cameras (simulated plant)", version="1.0.0")
    app.add_exception_handler(NotFound, _not_found)

    @app.get("/health")
    def health() -> dict[str, int]:
        return {"stations": len(cameras.stations())}

    @app.get("/api/v1/cameras")
    def stations() -> list[StationInfo]:
        return cameras.stations()

    @app.get("/api/v1/cameras/{station}/shots")
    def shots(station: str, after: Annotated[int, Query(ge=0)] = 0,
              limit: Annotated[int, Query(ge=1, le=KEEP)] = 100) -> list[Shot]:
        return cameras.shots(station, after, limit)

    @app.get("/api/v1/cameras/{station}/shots/{shot_id}", response_class=Response)
    def shot_image(station: str, shot_id: str) -> Response:
        return _picture(*cameras.image(station, shot_id))

    @app.get("/api/v1/cameras/{station}/latest", response_class=Response)
    def latest(station: str) -> Response:
        return _picture(*cameras.image(station))

    return app
