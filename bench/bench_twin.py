"""How well the twin predicts held-out changes, and how fast a dry run is.

    python bench/bench_twin.py [--hours 24] [--train 0.67] [--seed 0] [--machines ID ...] [--out var/twin-bench.yaml]

A fresh simulated plant (simulator/process.py, clock frozen and moved by the bench) runs a day in which every
machine with a setpoint (or those of ``--machines``) gets a change every 45 minutes:
a setpoint step of a random size up to its maximum step, now and then a stop and, a slot later, a start.
Every change is written over Modbus through the PLC connector, as an operator's would be. The twin is fitted
from the historian (through the MES) of the first part of the day only; before each change of the rest, a
dry run is made from the live PLC values, and afterwards compared with what the historian recorded over
30 minutes (twin.twin_error). Printed: per machine, input and reading, the fit and the held-out RMSE as % of
the reading's range; the dry runs' latency (the prediction alone, and with the live read).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from connectors.historian import MesHistory  # noqa: E402
from connectors.mes import MesClient  # noqa: E402
from connectors.plant import RUN_TAG, Machine, Plant, load_plant  # noqa: E402
from connectors.plc import PlantPlc, open_plc  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from simulator.process import running_simulator  # noqa: E402
from twin import Change, DryRun, Reason, SetpointModel, fit_twin, predict, save_twin, twin_error  # noqa: E402
from twin.model import Twin  # noqa: E402
from twin.sources import live_values, read_history  # noqa: E402

TARGETED = ["OV-201", "IM-103", "FL-202", "P-101"]  # the machines the issue sets the 5 % target for
SLOT_S = 45 * 60.0
HORIZON_MIN = 30.0
STOP_EVERY = 9  # slot k % STOP_EVERY == STOP_AT stops the machine, the next slot starts it
STOP_AT = 6


def next_change(machine: Machine, slot: int, current: dict[str, float], rng: random.Random) -> tuple[str, float]:
    """The change of one slot: a stop, the start after it, or a step of one setpoint (in turn)."""
    if RUN_TAG in machine.tags and slot % STOP_EVERY == STOP_AT:
        return RUN_TAG, 0.0
    if RUN_TAG in machine.tags and slot % STOP_EVERY == STOP_AT + 1:
        return RUN_TAG, 1.0
    setpoints = machine.setpoints
    tag = setpoints[slot % len(setpoints)]
    old = current[tag.name]
    size = rng.uniform(0.3, 1.0) * (tag.max_step or (tag.max - tag.min) / 4)
    new = old + size if rng.random() < 0.5 else old - size
    if not tag.min <= new <= tag.max:
        new = old - (new - old)
    scale = tag.modbus.scale
    return tag.name, round(min(tag.max, max(tag.min, new)) * scale) / scale


def what(input_tag: str, change: Change) -> str:
    """A row's input: the setpoint, or "run start" / "run stop"."""
    return input_tag if change is Change.setpoint else f"{input_tag} {change.value}"


def pct(x: float) -> str:
    """A share as a percentage, five wide with two decimals."""
    return f"{100 * x:5.2f} %"


@dataclass
class Day:
    """What a simulated day of changes gave: the twin fitted on its first part, each dry run made on the rest
    with the simulated time it was made at, and how long each dry run took."""

    twin: Twin | None = None
    runs: list[tuple[float, DryRun]] = field(default_factory=list)
    predict_ms: list[float] = field(default_factory=list)
    with_read_ms: list[float] = field(default_factory=list)


def parse_args() -> argparse.Namespace:
    """The command line's options (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=24.0, help="simulated hours in all")
    parser.add_argument("--train", type=float, default=2 / 3, help="the share of the day the twin is fitted on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the fitted twin file here")
    parser.add_argument("--machines", nargs="*", help="the machines changed and fitted (default: every machine "
                        "with a setpoint; the 5 %% target is set for " + ", ".join(TARGETED) + ")")
    return parser.parse_args()


async def main() -> None:
    """Run the day on a fresh simulator, then print the fit, the held-out errors and the dry runs' latency."""
    args = parse_args()
    plant: Plant = load_plant(ROOT / "plants" / "riverside" / "plant.yaml")
    machines = args.machines or [m.id for m in plant.machines.values() if m.setpoints]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, \
            running_simulator(Path(tmp), seed=args.seed, history_hours=args.hours + 1) as sim:
        async with open_plc(sim, plant, "modbus") as plc, MesClient.from_settings(sim) as mes:
            day = await run_day(sim, plc, mes, plant, machines, args)
            errors, unmodelled = await held_out_errors(mes, day.runs, _clock(sim))
    report(day, machines, errors, unmodelled)
    print(f"({time.perf_counter() - started:.0f} s)")


def _advance(sim: ConnectorSettings, seconds: float) -> None:
    httpx.post(f"{sim.sim_url}/advance", json={"seconds": seconds}, timeout=120).raise_for_status()


def _clock(sim: ConnectorSettings) -> float:
    return httpx.get(f"{sim.sim_url}/health", timeout=10).json()["sim_time"]


async def run_day(sim: ConnectorSettings, plc: PlantPlc, mes: MesClient, plant: Plant, machines: list[str],
                  args: argparse.Namespace) -> Day:
    """One change per machine and slot over ``args.hours``, written over Modbus; the twin fitted once the
    training share is over, and a dry run before each change after that."""
    rng = random.Random(args.seed)
    slots = int(args.hours * 3600 / SLOT_S)
    train_slots = int(slots * args.train)
    day = Day()
    _advance(sim, SLOT_S)  # a settled start
    for slot in range(slots):
        if slot == train_slots:
            fit_started = time.perf_counter()
            history = await read_history(MesHistory(mes), plant, (_clock(sim) + 60) / 3600.0, machines)
            day.twin = fit_twin(plant, history, source=sim.mes_url)
            print(f"fitted on {_clock(sim) / 3600:.1f} simulated hours ({train_slots} changes per machine) "
                  f"in {time.perf_counter() - fit_started:.1f} s", flush=True)
            if args.out:
                save_twin(day.twin, args.out)
        now = _clock(sim)
        for machine_id in machines:
            tag, value = next_change(plant.machines[machine_id], slot, await live_values(plc, machine_id), rng)
            if day.twin is not None:
                await dry_run(day, plc, machine_id, tag, value, now)
            await plc.write(machine_id, tag, value)
        _advance(sim, SLOT_S)
    return day


async def dry_run(day: Day, plc: PlantPlc, machine_id: str, tag: str, value: float, now: float) -> None:
    """Predict the change from fresh live values; keep the run and its latency, alone and with the read."""
    t0 = time.perf_counter()
    fresh = await live_values(plc, machine_id)
    t1 = time.perf_counter()
    run = predict(day.twin, machine_id, tag, value, fresh, HORIZON_MIN)
    t2 = time.perf_counter()
    day.predict_ms.append((t2 - t1) * 1000)
    day.with_read_ms.append((t2 - t0) * 1000)
    day.runs.append((now, run))


async def held_out_errors(mes: MesClient, runs: list[tuple[float, DryRun]],
                          end: float) -> tuple[dict[tuple[str, str, str], list[float]], list[str]]:
    """Each dry run against what the historian recorded after it: the errors (share of the reading's range)
    per machine, input and reading; and the dry runs that had no model, in words."""
    errors: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    unmodelled: list[str] = []
    for at, run in runs:
        if not run.modelled:
            unmodelled.append(f"{run.machine}.{run.tag} {run.change.value}: {run.why}")
            continue
        actual = {t.reading: await mes.history(run.machine, t.reading, (end - at) / 60.0 + 1)
                  for t in run.trajectories}
        for reading, err in twin_error(run, actual, since_s=at).items():
            errors[(run.machine, what(run.tag, run.change), reading)].append(err.fraction)
    return errors, unmodelled


def report(day: Day, machines: list[str], errors: dict[tuple[str, str, str], list[float]],
           unmodelled: list[str]) -> None:
    """Print per model its fit and held-out errors, what was not fitted, and the dry runs' latency."""
    twin = day.twin
    fitted = {(m.machine, what(m.input, m.change), m.reading): m for m in twin.models}
    print(f"\n{'machine':<8}{'input':<24}{'reading':<20}{'model':<14}{'fit':>9}{'held-out n':>12}"
          f"{'mean':>10}{'max':>10}")
    worst: dict[str, float] = {}
    for key in sorted(fitted, key=lambda k: (machines.index(k[0]), k[1], k[2])):
        model, held = fitted[key], errors.get(key, [])
        kind = model.structure.value + ("+curve" if isinstance(model, SetpointModel) and model.curvature else "")
        mean = pct(float(np.mean(held))) if held else "-"
        top = pct(max(held)) if held else "-"
        print(f"{key[0]:<8}{key[1]:<24}{key[2]:<20}{kind:<14}{model.rmse_pct:7.2f} %{len(held):>12}{mean:>10}"
              f"{top:>10}")
        if held and model.change is Change.setpoint:
            worst[key[0]] = max(worst.get(key[0], 0.0), float(np.mean(held)))
    left = [f"{n.machine}.{n.input} {n.change.value}" + (f"->{n.reading}" if n.reading else "")
            + f" ({n.reason.value})"
            for n in twin.not_fitted if n.machine in machines and n.reason not in (Reason.no_range, Reason.counter)]
    print("\nnot fitted (counters and readings without a range left out): " + (", ".join(left) or "none"))
    for line in unmodelled:
        print(f"dry run without a model: {line}")
    print("\nheld-out setpoint changes, worst reading's mean RMSE over 30 min (target <= 5 % of range): "
          + ", ".join(f"{m} {pct(v).strip()}" for m, v in worst.items()))
    p50, p95 = np.percentile(day.predict_ms, [50, 95])
    r50, r95 = np.percentile(day.with_read_ms, [50, 95])
    print(f"dry run latency over {len(day.predict_ms)} runs (target <= 200 ms): prediction p50 {p50:.2f} ms, p95 "
          f"{p95:.2f} ms; with the live Modbus read p50 {r50:.1f} ms, p95 {r95:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
