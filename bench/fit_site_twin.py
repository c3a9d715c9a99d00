"""Fit a plant's twin file the way a site would: a simulated day of changes, then `plant-copilot twin fit`.

    python bench/fit_site_twin.py --plant-file plants/dyehouse/plant.yaml --out plants/dyehouse/twin.yaml
                                  [--hours 36] [--seed 0]

A fresh simulator serving the plant file (clock frozen, moved by this script) settles for one slot, then every
machine with a setpoint gets a change every 45 minutes, written over Modbus through the PLC connector as an
operator's would be: a step of one setpoint (in turn) of a random size up to its maximum step, heading back
towards the value the plant started at once it is more than one maximum step away (so the twin is fitted around
the plant's operating point, where its dry runs will be asked for), and now and then a stop and, a slot later,
a start. Then the real command, `plant-copilot twin fit`, fits the twin from the historian through the MES.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.bench_twin import SLOT_S, STOP_AT, STOP_EVERY  # noqa: E402
from connectors.plant import RUN_TAG, Machine, Plant, load_plant  # noqa: E402
from connectors.plc import open_plc  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from simulator.process import running_simulator, settings_env  # noqa: E402
from twin.sources import live_values  # noqa: E402


def change_around(machine: Machine, slot: int, current: dict[str, float], start: dict[str, float],
                  rng: random.Random) -> tuple[str, float]:
    """The change of one slot: a stop, the start after it, or a step of one setpoint that heads back towards
    its start value once it is more than one maximum step away from it."""
    if RUN_TAG in machine.tags and slot % STOP_EVERY in (STOP_AT, STOP_AT + 1):
        return RUN_TAG, float(slot % STOP_EVERY == STOP_AT + 1)
    tag = machine.setpoints[slot % len(machine.setpoints)]
    step = tag.max_step or (tag.max - tag.min) / 4
    away = current[tag.name] - start[tag.name]
    up = rng.random() < 0.5 if abs(away) < step else away < 0
    size = rng.uniform(0.3, 1.0) * step
    new = min(tag.max, max(tag.min, current[tag.name] + (size if up else -size)))
    scale = tag.modbus.scale
    return tag.name, round(new * scale) / scale


async def run_day(sim: ConnectorSettings, plant: Plant, hours: float, seed: int) -> None:
    """A settled slot, then one change per machine with a setpoint and slot over ``hours``."""
    rng = random.Random(seed)
    machines = [m for m in plant.machines.values() if m.setpoints]

    def advance() -> None:
        httpx.post(f"{sim.sim_url}/advance", json={"seconds": SLOT_S}, timeout=300).raise_for_status()

    advance()
    async with open_plc(sim, plant, "modbus") as plc:
        start = {m.id: await live_values(plc, m.id) for m in machines}
        for slot in range(int(hours * 3600 / SLOT_S)):
            for machine in machines:
                current = await live_values(plc, machine.id)
                tag, value = change_around(machine, slot, current, start[machine.id], rng)
                await plc.write(machine.id, tag, value)
            advance()


def main() -> int:
    """Run the day on a fresh simulator, then `plant-copilot twin fit` against it; its exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plant-file", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the twin file to write")
    parser.add_argument("--hours", type=float, default=36.0, help="simulated hours of changes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "fit-site-twin", help="the simulator's folder")
    args = parser.parse_args()
    plant = load_plant(args.plant_file)
    with running_simulator(args.work, plant_file=args.plant_file.resolve(), history_hours=args.hours + 2) as sim:
        asyncio.run(run_day(sim, plant, args.hours, args.seed))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANT_")} | settings_env(sim)
        fitted = subprocess.run([sys.executable, "-m", "ui.cli", "twin", "fit", "--hours", f"{args.hours + 1:g}",
                                 "--file", str(args.out.resolve())], cwd=ROOT, env=env, check=False)
    return fitted.returncode


if __name__ == "__main__":
    sys.exit(main())
