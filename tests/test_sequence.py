"""Sequencing a line's queue to cut changeover within the due dates (copilot/orders/sequence.py), with answers
computed by hand from the shipped PLM files, and the line_queue_sequence procedure on both plants' simulators.

HX-200 (plants/riverside/plm.yaml) makes 240 housings an hour on a 16-hour day; its changeover matrix takes
25 min grey to blue, 20 min grey to green and green to blue (light to dark), 60 min blue or green to grey.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from agent_helpers import ask, call, copilot_on, results, script

from connectors.erp import ErpClient
from connectors.errors import NotFound
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.plm import PlmClient
from connectors.plm_file import PlmFileError, load_plm
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS, PRODUCT_DEFAULTS, shipped_plant
from copilot.orders import OrderRequest, SubstitutionKind, check_configuration
from copilot.orders import sequence as sequencing
from copilot.orders.capacity import Run
from copilot.orders.said import said
from copilot.orders.sequence import LineOrder, SequenceMethod, sequence_line
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from policies.engine import evaluate
from policies.model import ActionContext, Allow, Risk, Role
from policies.rules import Policy
from simulator.process import running_simulator
from tools.configuration_facts import read_facts
from tools.line_queue import read_queue
from tools.registry import TOOLS
from twin.settings import TwinSettings

MONDAY, FRIDAY = date(2026, 12, 7), date(2026, 12, 11)
PLANT = load_plant(shipped_plant("riverside"))
HOUSING = load_plm(PLANTS / "riverside" / "plm.yaml", PLANT).products[0]
ROUTING = HOUSING.routing


async def configure_facts(settings: ConnectorSettings, product: str = "HX-200"):
    async with PlmClient.from_settings(settings) as plm, ErpClient.from_settings(settings) as erp, \
            MesClient.from_settings(settings) as mes:
        return await read_facts(plm, erp, mes, product, MONDAY)


def order(order_id: str, colour: str, *options: str, units: int = 240, due: date | None = None,
          running: bool = False) -> LineOrder:
    features = frozenset([colour, *options])
    return LineOrder(Run(order_id, colour, features, units, ROUTING.units_per_hour(features)), due, running)


def ids(slots) -> list[str | None]:
    return [s.order_id for s in slots]


def test_a_queue_is_sequenced_light_to_dark_and_the_saving_is_the_one_computed_by_hand() -> None:
    # first come: A grey (running) -> B blue 25 min -> C grey 60 min -> D green 20 min = 105 min;
    # best: A -> C grey 0 -> D green 20 -> B blue 20 = 40 min, 65 min saved (every other order costs more)
    queue = [order("A", "grey", running=True), order("B", "blue"), order("C", "grey"), order("D", "green")]
    found = sequence_line("L1", ROUTING, queue, MONDAY)
    assert ids(found.before) == ["A", "B", "C", "D"] and ids(found.after) == ["A", "C", "D", "B"]
    assert (found.changeover_before_min, found.changeover_after_min, found.saved_min) == (105, 40, 65)
    assert found.method is SequenceMethod.exact and found.moved
    # each 240 housings is one hour; D starts after A, C and its 20 min changeover, B after 20 more
    assert [(s.changeover_min, s.start_h, s.end_h) for s in found.after] == [
        (0, 0, 1), (0, 1, 2), (20, pytest.approx(2 + 1 / 3), pytest.approx(3 + 1 / 3)),
        (20, pytest.approx(3 + 2 / 3), pytest.approx(4 + 2 / 3))]
    assert [s.start_h for s in found.before] == [0, pytest.approx(1 + 25 / 60), pytest.approx(3 + 25 / 60), 4.75]
    assert all(s.finish == MONDAY for s in found.after)
    assert found.line == ("Line L1: run C next; first come A → B → C → D, 105 min changeover; sequenced A → C → D "
                          "→ B, 40 min: 65 min saved (exact). Runs (line hours from the start of today): A 0.0–1.0 h, "
                          "C 1.0–2.0 h, D 2.3–3.3 h, B 3.7–4.7 h. Every order meets its due date")


def test_the_same_tooling_runs_together() -> None:
    # grey with the polished insert (high_gloss) costs 45 min of tooling either way: G1 -> G2 with the insert
    # -> back to the standard tooling is 90 min; the two standard-tooling orders together save 45 of it
    queue = [order("A", "grey", running=True), order("H", "grey", "high_gloss"), order("C", "grey")]
    found = sequence_line("L1", ROUTING, queue, MONDAY)
    assert ids(found.after) == ["A", "C", "H"] and (found.changeover_before_min, found.saved_min) == (90, 45)


def test_an_order_that_would_save_changeover_but_be_late_is_not_moved() -> None:
    # B (blue, 7200 housings = 30 h) after A: starts at 1 h 25 min, ends at 31.42 h, on day 1 (16-hour days).
    # C (grey, 1 h) before B would save 60 min (A -> C 0 -> B 25 = 25 min against 85) but end B at 32.42 h, day 2
    due_tomorrow = [order("A", "grey", running=True), order("B", "blue", units=7200, due=date(2026, 12, 8)),
                    order("C", "grey")]
    kept = sequence_line("L1", ROUTING, due_tomorrow, MONDAY)
    assert ids(kept.after) == ["A", "B", "C"] and not kept.moved and kept.saved_min == 0
    assert kept.after[1].finish == date(2026, 12, 8) and not kept.after[1].late
    assert "kept as it is: no other order saves changeover within the due dates" in kept.line
    no_due = [due_tomorrow[0], order("B", "blue", units=7200), due_tomorrow[2]]
    moved = sequence_line("L1", ROUTING, no_due, MONDAY)
    assert ids(moved.after) == ["A", "C", "B"] and moved.saved_min == 60
    assert moved.after[2].finish == date(2026, 12, 9)


def test_the_greedy_sequence_finds_the_same_here_and_keeps_every_due_date(monkeypatch) -> None:
    monkeypatch.setattr(sequencing, "EXACT_UP_TO", 0)
    queue = [order("A", "grey", running=True), order("B", "blue", units=7200, due=date(2026, 12, 8)),
             order("C", "grey")]
    assert ids(sequence_line("L1", ROUTING, queue, MONDAY).after) == ["A", "B", "C"]
    colours = ["blue", "grey", "green", "grey", "blue", "green", "grey", "blue", "green", "grey", "blue", "grey"]
    many = [order("A", "grey", running=True),
            *(order(f"O{i:02}", c, units=480, due=date(2026, 12, 8 + i // 4)) for i, c in enumerate(colours))]
    found = sequence_line("L1", ROUTING, many, MONDAY)
    assert found.method is SequenceMethod.greedy
    assert sorted(ids(found.after)) == sorted(o.run.order_id for o in many)
    assert found.lower_bound_min <= found.changeover_after_min < found.changeover_before_min
    first_come = {s.order_id: s.finish for s in found.before}
    assert all(s.finish <= max(s.due, first_come[s.order_id]) for s in found.after if s.due)


def test_a_changeover_matrix_naming_a_colour_the_product_lacks_is_refused(tmp_path) -> None:
    text = (PLANTS / "riverside" / "plm.yaml").read_text().replace("grey: {green: 20, blue: 25}",
                                                                     "grey: {green: 20, purple: 25}")
    (tmp_path / "plm.yaml").write_text(text)
    with pytest.raises(PlmFileError, match="product HX-200: unknown colour or option purple"):
        load_plm(tmp_path / "plm.yaml", PLANT)


async def test_the_mes_gives_each_order_its_due_date_from_the_plant_file(sim) -> None:
    async with PlmClient.from_settings(sim) as plm, MesClient.from_settings(sim) as mes:
        queue = await read_queue(plm, mes, "l1", MONDAY)
    assert [(o.id, o.due) for o in queue.orders] == [("PO-L1-0042", date(2026, 12, 8)),
                                                    ("PO-L1-0043", date(2026, 12, 10))]
    assert queue.line_id == "L1" and queue.products[0].routing.colour_changes["grey"]["blue"] == 25


def test_the_gate_knows_line_queue_as_a_read_every_role_may_run() -> None:
    policy = Policy.load(PRODUCT_DEFAULTS / "policy.yaml", tools=TOOLS)
    assert TOOLS["line_queue"].risk is Risk.read and "line_queue" in policy.tools
    for role in Role:
        action = ActionContext(tool="line_queue", risk=Risk.read, requester="a", role=role, line_id="L1")
        assert isinstance(evaluate(policy, action), Allow)


# -- the procedure on both plants ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dyehouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse"),
                           plant_file=PLANTS / "dyehouse" / "plant.yaml") as settings:
        yield settings


@pytest.fixture
def dyehouse(dyehouse_server: ConnectorSettings) -> ConnectorSettings:
    response = httpx.post(f"{dyehouse_server.sim_url}/reset", timeout=30)
    assert response.status_code == 200, response.text
    return dyehouse_server


async def test_sequence_line_1_on_riverside_keeps_its_one_queued_order(sim, tmp_path) -> None:
    model = script([call("line_queue_sequence", line="L1")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "what should line L1 run next?")
    assert steps[-1].text.startswith("- Line L1: run PO-L1-0043 next; first come PO-L1-0042 → PO-L1-0043, 25 min "
                                     "changeover; kept as it is"), steps[-1].text


async def test_sequence_d1_on_the_dyehouse_runs_the_coral_batch_before_the_olive_one(dyehouse, tmp_path) -> None:
    # D1 (24-hour days, 500 kg/h): PO-D1-0311 navy runs, 2800 kg left; first come olive PO-D1-0312 (navy to olive
    # 100 min) then coral PO-D1-0313 (JS-180, a colour the matrix does not name: 90 min) = 190 min; coral first
    # (90) then olive (90) = 180 min, both done today
    model = script([call("line_queue_sequence", line="D1")])
    site = PLANTS / "dyehouse"
    async with Copilot.open(model, settings=CopilotSettings(data_dir=tmp_path, site_dir=site), connectors=dyehouse,
                            twin=TwinSettings(site_dir=site)) as copilot:
        steps = await ask(copilot, "olga", "sequence line D1")
    assert steps[-1].text.startswith(
        "- Line D1: run PO-D1-0313 next; first come PO-D1-0311 → PO-D1-0312 → PO-D1-0313, 190 min changeover; "
        "sequenced PO-D1-0311 → PO-D1-0313 → PO-D1-0312, 180 min: 10 min saved (exact). Runs (line hours from the "
        "start of today): PO-D1-0311 0.0–5.6 h, PO-D1-0313 7.1–11.9 h, PO-D1-0312 13.4–21.4 h"), steps[-1].text


async def test_an_unknown_line_is_asked_back_and_the_mes_names_the_lines(sim, tmp_path) -> None:
    model = script([call("line_queue_sequence", line="L9")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "sequence line L9")
    assert steps[-1].text == "Which line should be sequenced?" and not results(steps)
    async with PlmClient.from_settings(sim) as plm, MesClient.from_settings(sim) as mes:
        with pytest.raises(NotFound, match="unknown line 'L9'; the plant has: L1, L2"):
            await read_queue(plm, mes, "L9", MONDAY)


# -- in the configure check -------------------------------------------------------------------------------


async def test_the_configure_check_places_the_order_in_the_sequence(sim) -> None:
    # L1: PO-L1-0042 grey runs (1270 left, 5.29 h), PO-L1-0043 blue with UV queued, 600 grey housings asked for:
    # first come 25 (grey to blue) + 60 (blue to grey) = 85 min; the new grey order right after the grey one
    # (0 min), then blue (25 min): 60 min saved, PO-L1-0043 still done on Monday
    check = check_configuration(OrderRequest("HX-200", "grey", (), 600, FRIDAY), await configure_facts(sim), PLANT)
    sequence = check.sequence
    assert ids(sequence.after) == ["PO-L1-0042", None, "PO-L1-0043"]
    assert (sequence.changeover_before_min, sequence.changeover_after_min, sequence.saved_min) == (85, 25, 60)
    new = sequence.candidate
    assert (new.changeover_min, new.start_h, new.end_h) == (0, pytest.approx(1270 / 240), pytest.approx(1870 / 240))
    assert "Sequenced by changeover it runs after PO-L1-0042 (0 min changeover), finished 2026-12-07; the line's " \
           "changeover 85 → 25 min" in said(check)


async def test_another_colour_is_offered_when_the_masterbatch_is_late(sim) -> None:
    # 2500 green housings need 25 kg of MB-GREEN: 20 in stock, 5 bought from SUP-COLOR in 8 days (the 15th), past
    # Friday. Grey or blue instead take 20 kg of masterbatch that the stock has (49.84 and 33.6 kg free): nothing
    # bought, ready Monday, finished Tuesday (9.04 h queued + 45 min blue to green + 10.42 h run = 20.2 h)
    check = check_configuration(OrderRequest("HX-200", "green", (), 2500, FRIDAY), await configure_facts(sim), PLANT)
    (green,) = check.late_materials
    assert (green.material, green.to_buy, green.ready) == ("MB-GREEN", 5, date(2026, 12, 15))
    options = [(s.option_change, s.to_buy, s.cost, s.carbon_kg, s.ready, s.finish, s.meets_due, s.recommended)
               for s in green.substitutions if s.kind is SubstitutionKind.option]
    tuesday = date(2026, 12, 8)
    assert options == [("grey instead of green", 0, 0.0, 0.0, MONDAY, tuesday, True, False),
                       ("blue instead of green", 0, 0.0, 0.0, MONDAY, tuesday, True, False)]
    assert "option grey instead of green (no MB-GREEN): from stock, cost 0.00, 0 kg CO2e" in said(check)


async def test_on_the_dyehouse_another_shade_is_offered_with_its_trade_off(dyehouse) -> None:
    # 6000 kg navy twill need 210 kg of navy dye: 300 in stock less 98 for PO-D1-0311's 2800 kg, 8 kg bought in
    # 6 days (the 13th), past Thursday. D1 is busy 21.57 h, then 90 min to navy and a 12 h run: Tuesday when
    # ready Monday. Olive needs 150 kg of its dye (100 free after PO-D1-0312): 50 kg at 17.00 and 5.8 kg CO2e
    # each, there on the 13th, too late; sand (48 kg) and black (360 kg) come from stock
    plant = load_plant(PLANTS / "dyehouse" / "plant.yaml")
    request = OrderRequest("TW-240", "navy", (), 6000, date(2026, 12, 10))
    check = check_configuration(request, await configure_facts(dyehouse, "TW-240"), plant)
    (navy,) = check.late_materials
    assert (navy.material, navy.free_stock, navy.to_buy, navy.ready) == ("DYE-RX-NAVY", 202, 8, date(2026, 12, 13))
    options = [(s.option_change, s.to_buy, s.cost, s.carbon_kg, s.ready, s.finish, s.meets_due)
               for s in navy.substitutions if s.kind is SubstitutionKind.option]
    tuesday, sunday = date(2026, 12, 8), date(2026, 12, 13)
    assert options == [("olive instead of navy", 50, 850.0, 290.0, sunday, sunday, False),
                       ("sand instead of navy", 0, 0.0, 0.0, MONDAY, tuesday, True),
                       ("black instead of navy", 0, 0.0, 0.0, MONDAY, tuesday, True)]
