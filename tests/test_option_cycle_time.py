"""An option that slows the cycle re-times the order (issue #28): its run, its finish and its due date, and the
"another option" substitutions at their own cycle time, on the simulator's PLM, ERP and MES of both plants.

By hand, from plants/dyehouse (plm.yaml, plant.yaml): TW-240 dyes 1 kg per 7.2 s cycle, 500 kg an hour, and a deep
shade per 9.0 s, 400 kg an hour, on a 24-hour day. Line D1's queue on Monday: PO-D1-0311 navy, 2800 kg left, 5.6 h;
navy to olive 100 min; PO-D1-0312 olive 4000 kg, 8 h; olive to coral (not in the matrix) 90 min; PO-D1-0313 JS-180
coral 2400 kg at TW-240's rate, 4.8 h: 21.567 h. A navy order after it: coral to navy 90 min, so it starts at
23.067 h. 400 kg navy run 0.8 h and end at 23.867 h, on Monday; with a deep shade they run 1.0 h and end at
24.067 h, on Tuesday. From plants/riverside: HX-200 makes 2 housings per 30 s cycle, 240 an hour, and glass-filled
per 36 s, 200 an hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from connectors.erp import ErpClient
from connectors.mes import MesClient
from connectors.plm import PlmClient
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.orders import OrderRequest, SubstitutionKind, Verdict, check_configuration
from copilot.orders.result import ConfigurationCheck
from simulator.process import running_simulator
from tools.configuration_facts import read_facts

MONDAY, TUESDAY = date(2026, 12, 7), date(2026, 12, 8)


@pytest.fixture(scope="module")
def dyehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own serving the dyehouse, its clock frozen."""
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"), plant_file=PLANTS / "dyehouse" / "plant.yaml") \
            as sim:
        yield sim


async def checked(settings: ConnectorSettings, product: str, colour: str, *options: str, quantity: int,
                  due: date) -> ConfigurationCheck:
    async with PlmClient.from_settings(settings) as plm, ErpClient.from_settings(settings) as erp, \
            MesClient.from_settings(settings) as mes:
        facts = await read_facts(plm, erp, mes, product, MONDAY)
    return check_configuration(OrderRequest(product, colour, options, quantity, due), facts, settings.load_plant())


async def test_a_deep_shade_slows_the_run_past_a_due_date_that_held_without_it(dyehouse) -> None:
    plain = await checked(dyehouse, "TW-240", "navy", quantity=400, due=MONDAY)
    deep = await checked(dyehouse, "TW-240", "navy", "deep_shade", quantity=400, due=MONDAY)
    assert plain.capacity.queue_h == pytest.approx(5.6 + 100 / 60 + 8 + 1.5 + 4.8)
    assert (plain.capacity.changeover_h, plain.capacity.run_h) == (1.5, pytest.approx(0.8))
    assert (deep.capacity.changeover_h, deep.capacity.run_h) == (1.5, pytest.approx(1.0))
    assert (plain.verdict, plain.finish) == (Verdict.on_time, MONDAY)
    assert (deep.verdict, deep.finish) == (Verdict.late, TUESDAY)
    [candidate] = [s for s in deep.sequence.after if s.order_id is None]
    assert candidate.end_h - candidate.start_h == pytest.approx(1.0)  # the sequencer runs it at 400 kg an hour too


async def test_another_option_is_retimed_at_its_own_cycle(dyehouse) -> None:
    """Every material of the deep navy is there but the order is late; leaving the deep shade off runs 0.8 h, on
    Monday (timed as the deep shade, it would end on Tuesday); black instead of navy keeps the deep shade, Tuesday."""
    deep = await checked(dyehouse, "TW-240", "navy", "deep_shade", quantity=400, due=MONDAY)
    options = {s.option_change: s for m in deep.materials for s in m.substitutions
               if s.kind is SubstitutionKind.option}
    assert (options["without deep_shade"].finish, options["without deep_shade"].meets_due) == (MONDAY, True)
    assert (options["black instead of navy"].finish, options["black instead of navy"].meets_due) == (TUESDAY, False)


async def test_glass_fibre_slows_the_housings_run(sim) -> None:
    """200 housings with UV run 200 / 240 h; glass-filled 200 / 200 h, after 45 min more for the screw change."""
    uv = await checked(sim, "HX-200", "grey", "uv_stabilised", quantity=200, due=MONDAY)
    glass = await checked(sim, "HX-200", "grey", "uv_stabilised", "glass_filled", quantity=200, due=MONDAY)
    assert (uv.capacity.changeover_h, uv.capacity.run_h) == (1.0, pytest.approx(200 / 240))
    assert (glass.capacity.changeover_h, glass.capacity.run_h) == (1.75, pytest.approx(1.0))
