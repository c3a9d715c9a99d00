"""Benchmark of the simulated plant's physics: how fast simulated time runs, and what reads cost.

    python bench/bench_simulator.py [--seconds 3600]

What is measured (in process, no servers):

1. ``tick`` throughput: simulated seconds per wall second for the demo plant, healthy
   and with one fault of every machine kind active. This bounds ``POST /advance``
   (6 h at most per request) and the highest useful ``--time-scale``.
2. ``snapshot`` and ``history`` latency: what every Modbus/OPC UA poll and MES query pays.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.plant import load_plant  # noqa: E402
from simulator.faults import Fault, FaultBoard, FaultKind  # noqa: E402
from simulator.physics import PlantSimulation  # noqa: E402

FAULTS = [
    Fault(kind=FaultKind.bearing_wear, machine_id="P-101", severity=0.8),
    Fault(kind=FaultKind.sensor_drift, machine_id="OV-201"),
    Fault(kind=FaultKind.temp_controller_drift, machine_id="IM-103"),
    Fault(kind=FaultKind.jam, machine_id="CV-203"),
    Fault(kind=FaultKind.plc_offline, machine_id="HP-102"),
]


def throughput(sim: PlantSimulation, seconds: float) -> float:
    """Simulated seconds per wall second of one ``tick(seconds)``."""
    start = time.perf_counter()
    sim.tick(seconds)
    return seconds / (time.perf_counter() - start)


def latency_us(call, repeat: int = 2000) -> tuple[float, float]:
    """Median and p95 microseconds of ``repeat`` calls of ``call``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)]


def main() -> None:
    """Print the physics' throughput, healthy and with five faults, and the latency of a snapshot and a history."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3600.0, help="simulated seconds per throughput run")
    args = parser.parse_args()
    plant = load_plant(ROOT / "plants" / "riverside" / "plant.yaml")
    sim = PlantSimulation(plant, FaultBoard(), seed=0)
    print(f"demo plant: {len(plant.machines)} machines, {len(plant.all_tags())} tags, 1 s physics steps")
    print(f"tick, healthy:         {throughput(sim, args.seconds):8.0f} sim-s per wall-s")
    for fault in FAULTS:
        sim.inject_fault(fault)
    print(f"tick, 5 faults active: {throughput(sim, args.seconds):8.0f} sim-s per wall-s")
    p50, p95 = latency_us(sim.snapshot)
    print(f"snapshot():            p50 {p50:6.1f} us   p95 {p95:6.1f} us")
    p50, p95 = latency_us(lambda: sim.history("P-101", "vibration", 1800), repeat=500)
    print(f"history(30 min):       p50 {p50:6.1f} us   p95 {p95:6.1f} us")


if __name__ == "__main__":
    main()
