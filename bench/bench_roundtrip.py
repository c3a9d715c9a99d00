"""Round-trip latency on loopback: one Modbus read, one OPC UA read, one ERP GET (p50, p95).

Starts the simulator as a child process on free ports (stops with this script).

    python bench/bench_roundtrip.py [--n 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from connectors.erp import ErpClient
from connectors.plc import open_plc
from simulator.process import running_simulator


async def measure(call: Callable[[], Awaitable[object]], n: int) -> tuple[float, float]:
    """p50 and p95 milliseconds of ``n`` awaits of ``call``, after one warm-up call."""
    await call()  # connect and warm
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


async def main(n: int) -> None:
    """Print the round trips of a Modbus read, an OPC UA read and an ERP GET on a fresh simulator."""
    with tempfile.TemporaryDirectory() as tmp, running_simulator(Path(tmp)) as sim:
        plant = sim.load_plant()
        async with open_plc(sim, plant, "modbus") as modbus, open_plc(sim, plant, "opcua") as opcua, \
                ErpClient.from_settings(sim) as erp:
            rows = [
                ("Modbus TCP read (P-101 vibration)", await measure(lambda: modbus.read("P-101", "vibration"), n)),
                ("OPC UA read (P-101 vibration)", await measure(lambda: opcua.read("P-101", "vibration"), n)),
                ("ERP GET /parts/BRG-6205", await measure(lambda: erp.get_part("BRG-6205"), n)),
            ]
    print(f"round trips on 127.0.0.1, {n} each after one warm-up")
    for name, (p50, p95) in rows:
        print(f"  {name:<36} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    asyncio.run(main(parser.parse_args().n))
