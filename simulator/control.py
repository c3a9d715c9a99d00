"""The simulator's control API: how demos, evals and tests set up the plant and move its clock.

Plain HTTP on loopback, outside the copilot's reach (no tool calls it). Errors are
``{"detail": "..."}`` with 404 for an unknown machine or tag and 422 for a request
that cannot apply; a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from connectors.errors import InvalidRequest, NotFound
from simulator.faults import Fault, FaultKind
from simulator.physics import PlantSimulation, Value

MAX_ADVANCE_S = 6 * 3600.0  # one request moves the clock at most this far (about 8 s of work)


class PlantState(BaseModel):
    """The whole plant now: the clock, every tag as the PLCs report it, the faults, the silent PLCs."""

    sim_time: float = Field(description="simulated seconds since start or reset")
    machines: dict[str, dict[str, Value]] = Field(description="machine -> tag -> value, as the PLCs report")
    faults: list[Fault]
    offline: list[str] = Field(description="machines whose PLC does not answer")


class TextIn(BaseModel):
    """Text to put into a PLC string tag of a machine."""

    machine_id: str
    tag: str
    text: str


class AdvanceIn(BaseModel):
    """How far to run the simulated clock, synchronously."""

    seconds: float = Field(gt=0, le=MAX_ADVANCE_S, description="simulated seconds to run, synchronously")


class Clock(BaseModel):
    """The simulated time, seconds since start or reset."""

    sim_time: float


class Cleared(BaseModel):
    """How many faults a clear removed."""

    cleared: int


async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return JSONResponse(status_code=422, content={"detail": "invalid request: " + "; ".join(problems)})


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(exc)})


async def _invalid(request: Request, exc: InvalidRequest) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})


def _state(sim: PlantSimulation) -> PlantState:
    return PlantState(
        sim_time=sim.sim_time,
        machines=sim.snapshot(),
        faults=sim.faults.active(),
        offline=[m for m in sim.plant.machines if sim.is_offline(m)],
    )


def create_control_app(sim: PlantSimulation, on_reset: Callable[[], None] | None = None) -> FastAPI:
    """The control API over ``sim``; ``on_reset`` also returns the other services to their start."""
    app = FastAPI(title="Plant simulator control", version="1")
    app.add_exception_handler(RequestValidationError, _malformed)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(InvalidRequest, _invalid)

    @app.get("/health")
    def health() -> Clock:
        return Clock(sim_time=sim.sim_time)

    @app.get("/state")
    def get_state() -> PlantState:
        return _state(sim)

    @app.post("/faults", status_code=201)
    def inject(fault: Fault) -> Fault:
        """Start a fault; injecting the same kind on the same machine again replaces it."""
        return sim.inject_fault(fault)

    @app.delete("/faults")
    def clear(kind: FaultKind | None = Query(default=None), machine_id: str | None = Query(default=None)) -> Cleared:
        """Clear matching faults (all, with no filter); a cleared bearing or sensor counts as replaced."""
        return Cleared(cleared=sim.clear_faults(kind, machine_id))

    @app.post("/reset")
    def reset() -> PlantState:
        """Back to the start for the simulator's seed: no faults, empty history, and fresh ERP/MES data."""
        sim.reset()
        if on_reset is not None:
            on_reset()
        return _state(sim)

    @app.post("/text", status_code=204)
    def set_text(body: TextIn) -> None:
        sim.set_text(body.machine_id, body.tag, body.text)

    @app.post("/advance")
    def advance(body: AdvanceIn) -> Clock:
        sim.tick(body.seconds)
        return Clock(sim_time=sim.sim_time)

    return app
