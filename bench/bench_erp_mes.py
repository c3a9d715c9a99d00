"""Benchmark of the simulated ERP and MES through their connectors: request latency, sequential and concurrent.

    python bench/bench_erp_mes.py [--requests 200] [--concurrency 8]

Each service runs under uvicorn on a free loopback port in this process (as in the
tests), over a fresh SQLite file and, for the MES, a PlantSimulation with 30 minutes
of history. Sequential figures are one request at a time (latency an operator's tool
call sees); concurrent figures are ``--concurrency`` requests in flight through one
client (writes then queue on SQLite's single writer). Writes use a new idempotency
key per request, so each one creates a record.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from http_services import serving  # noqa: E402

from connectors.erp import ErpClient  # noqa: E402
from connectors.mes import MesClient  # noqa: E402
from connectors.plant import load_plant  # noqa: E402
from connectors.records import InspectionCreate, PurchaseOrderCreate, WorkOrderCreate  # noqa: E402
from connectors.site import DEMO_SITE  # noqa: E402
from simulator.erp import create_erp_app  # noqa: E402
from simulator.faults import FaultBoard  # noqa: E402
from simulator.mes import create_mes_app  # noqa: E402
from simulator.physics import PlantSimulation  # noqa: E402

Call = Callable[[int], Awaitable[object]]


async def measure(name: str, call: Call, requests: int, concurrency: int) -> None:
    """Time ``requests`` calls one after another, then ``concurrency`` at a time; print p50, p95 and
    requests per second of each."""
    latencies: list[float] = []

    async def one(i: int) -> None:
        start = time.perf_counter()
        await call(i)
        latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    for i in range(requests):
        await one(i)
    sequential = time.perf_counter() - started
    seq = sorted(latencies)
    latencies.clear()

    gate = asyncio.Semaphore(concurrency)

    async def gated(i: int) -> None:
        async with gate:
            await one(requests + i)

    started = time.perf_counter()
    await asyncio.gather(*(gated(i) for i in range(requests)))
    concurrent = time.perf_counter() - started
    par = sorted(latencies)
    print(f"{name:<34} p50 {1000 * statistics.median(seq):6.1f} ms  p95 {1000 * seq[int(0.95 * len(seq)) - 1]:6.1f} ms"
          f"  {requests / sequential:6.0f} req/s | x{concurrency}: p50 {1000 * statistics.median(par):6.1f} ms"
          f"  p95 {1000 * par[int(0.95 * len(par)) - 1]:6.1f} ms  {requests / concurrent:6.0f} req/s")


async def run(requests: int, concurrency: int, work: Path) -> None:
    """Serve the ERP and MES on a simulated plant from ``work`` and measure each client call against them."""
    plant = load_plant(DEMO_SITE / "plant.yaml")
    faults = FaultBoard()
    sim = PlantSimulation(plant, faults, seed=0)
    sim.tick(1800)
    with serving(create_erp_app(work / "erp.db", plant, faults)) as erp_url, \
            serving(create_mes_app(work / "mes.db", plant, faults, sim)) as mes_url:
        async with ErpClient(erp_url, timeout=30, connect_timeout=5) as erp, \
                MesClient(mes_url, timeout=30, connect_timeout=5) as mes:
            work_order = WorkOrderCreate(machine_id="P-101", title="bench", requested_by="bench")
            purchase = PurchaseOrderCreate(part="BRG-6205", quantity=1, supplier="SUP-NORD", requested_by="bench")
            inspection = InspectionCreate(machine_id="IM-103", inspected=10, defects=1, requested_by="bench")
            cases: list[tuple[str, Call]] = [
                ("ERP get_part", lambda i: erp.get_part("BRG-6205")),
                ("ERP list_parts(machine_id)", lambda i: erp.list_parts(machine_id="P-101")),
                ("ERP create_work_order", lambda i: erp.create_work_order(work_order, idempotency_key=f"wo-{i}")),
                ("ERP create_purchase_order", lambda i: erp.create_purchase_order(purchase, idempotency_key=f"p-{i}")),
                ("ERP replayed write (same key)", lambda i: erp.create_work_order(work_order, idempotency_key="wo-0")),
                ("ERP list_work_orders (grown)", lambda i: erp.list_work_orders(machine_id="P-101")),
                ("MES line_status", lambda i: mes.line_status("L1")),
                ("MES get_production_order", lambda i: mes.get_production_order("PO-L1-0042")),
                ("MES quality(line, 60 min)", lambda i: mes.quality(line="L1", since_minutes=60)),
                ("MES history(30 min, 1800 samples)", lambda i: mes.history("P-101", "vibration", 30)),
                ("MES record_inspection", lambda i: mes.record_inspection(inspection, idempotency_key=f"i-{i}")),
            ]
            print(f"{requests} requests per case; loopback, uvicorn in a thread, SQLite WAL")
            for name, call in cases:
                await measure(name, call, requests, concurrency)


def main() -> None:
    """Parse the arguments and run the bench in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(args.requests, args.concurrency, Path(tmp)))


if __name__ == "__main__":
    main()
