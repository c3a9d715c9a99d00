"""Benchmark of configure to order and sequencing against the simulator's PLM, ERP and MES (no model).

    python bench/bench_configure.py [--orders 50] [--plant riverside|dyehouse] [--seed 0]

Starts the simulator as a process on free loopback ports (as the tests do), makes ``--orders`` configurations of
PLM's products for the week of Monday 2026-12-07 (a colour, options, a quantity of 1 to 6 hours' run, due 2 to 9
days out; the same every run for a seed), and checks each one as the configure_order_check procedure does (the
facts read over HTTP, then the check by code, the line's sequence with the order in it included). Then, per line,
the MES's queue with the week's buildable orders after it in the order they came is sequenced: the changeover
minutes first come, first served against sequenced, within every due date.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.erp import ErpClient  # noqa: E402
from connectors.mes import MesClient  # noqa: E402
from connectors.plm import PlmClient  # noqa: E402
from connectors.plm_records import PlmProduct  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from connectors.site import PLANTS  # noqa: E402
from copilot.orders import LineOrder, OrderRequest, check_configuration, sequence_line  # noqa: E402
from copilot.orders.capacity import Run  # noqa: E402
from copilot.orders.queue import line_orders  # noqa: E402
from copilot.orders.result import ConfigurationCheck  # noqa: E402
from simulator.process import running_simulator  # noqa: E402
from tools.configuration_facts import read_facts  # noqa: E402

MONDAY = date(2026, 12, 7)


def configurations(products: list[PlmProduct], count: int, seed: int) -> list[OrderRequest]:
    """``count`` configurations, the same for a seed: any product, colour and options (some break a rule)."""
    pick = random.Random(seed)
    requests = []
    for _ in range(count):
        product = pick.choice(products)
        options = tuple(o for o in product.option_ids if pick.random() < 0.3)
        features = frozenset([product.colours[0], *options])
        hours = pick.uniform(1, 6)
        quantity = max(1, round(product.routing.units_per_hour(features) * hours, -1))
        requests.append(OrderRequest(product.id, pick.choice(product.colours), options, int(quantity),
                                     MONDAY + timedelta(days=pick.randint(2, 9))))
    return requests


async def check_all(settings: ConnectorSettings, requests: list[OrderRequest]) -> tuple[list[ConfigurationCheck],
                                                                                          list[float]]:
    """Each request checked as the procedure does it: facts read, then the check; the seconds each took."""
    plant = settings.load_plant()
    checks, seconds = [], []
    async with PlmClient.from_settings(settings) as plm, ErpClient.from_settings(settings) as erp, \
            MesClient.from_settings(settings) as mes:
        for request in requests:
            started = time.perf_counter()
            facts = await read_facts(plm, erp, mes, request.product, MONDAY)
            checks.append(check_configuration(request, facts, plant))
            seconds.append(time.perf_counter() - started)
        products = await plm.products()
        queue = await mes.list_production_orders()
        mes_products = await mes.products()
    week_sequences(products, queue, mes_products, checks)
    return checks, seconds


def week_sequences(products, queue, mes_products, checks: list[ConfigurationCheck]) -> None:
    """Per line: the MES's open orders, then the week's buildable orders as they came, sequenced; printed."""
    by_id = {p.id: p for p in products}
    for line_id in dict.fromkeys(p.routing.line for p in products):
        product = next(p for p in products if p.routing.line == line_id)
        orders = line_orders(queue, line_id, products, mes_products, product)
        asked = [c.request for c in checks if c.buildable and by_id[c.request.product].routing.line == line_id]
        for n, c in enumerate(asked):
            features = frozenset([c.colour, *c.options])
            rate = by_id[c.product].routing.units_per_hour(features)
            orders.append(LineOrder(Run(f"NEW-{n:02}", c.colour, features, c.quantity, rate), c.due))
        started = time.perf_counter()
        found = sequence_line(line_id, product.routing, orders, MONDAY)
        took = time.perf_counter() - started
        late = sum(s.late for s in found.after)
        print(f"line {line_id}: {len(orders)} orders, first come {found.changeover_before_min:g} min changeover, "
              f"sequenced {found.changeover_after_min:g} min ({found.method.value}, bound "
              f"{found.lower_bound_min:g} min): {found.saved_min:g} min saved "
              f"({found.saved_min / max(found.changeover_before_min, 1e-9):.0%}); {late} late either way "
              f"(no order later than first come or its due date); sequenced in {1000 * took:.0f} ms")


def main() -> None:
    """Parse the arguments, start the simulator, check and sequence, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--plant", choices=["riverside", "dyehouse"], default="riverside")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            running_simulator(Path(tmp), plant_file=PLANTS / args.plant / "plant.yaml") as settings:
        products = asyncio.run(_products(settings))
        requests = configurations(products, args.orders, args.seed)
        checks, seconds = asyncio.run(check_all(settings, requests))
    ordered = sorted(seconds)
    verdicts = ", ".join(f"{sum(c.verdict is v for c in checks)} {v.value}"
                         for v in dict.fromkeys(c.verdict for c in checks))
    print(f"{len(checks)} configurations ({verdicts}) on {args.plant}: per check (facts over HTTP + the check and "
          f"sequence by code) p50 {1000 * statistics.median(ordered):.0f} ms, p95 "
          f"{1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)]:.0f} ms, max {1000 * ordered[-1]:.0f} ms "
          f"(target <= 1000 ms)")


async def _products(settings: ConnectorSettings) -> list[PlmProduct]:
    async with PlmClient.from_settings(settings) as plm:
        return await plm.products()


if __name__ == "__main__":
    main()
