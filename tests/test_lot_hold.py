"""A material lot on hold (issue #29), on the real MES and the running simulator: the MES refuses to issue a held
lot with one clear error, on both plants; the quality procedure's hold waits for a quality engineer's sign-off, runs
once approved and lands in the audit log and the MES, the press goes back to its previous lot, and a release lets
the lot be issued again."""

from __future__ import annotations

import pytest
from agent_helpers import SimControl, ask, call, copilot_on, script, user, waiting
from http_services import serving

from connectors.errors import NotFound, Rejected
from connectors.genealogy import LotHold, LotIssue, LotRelease, LotStatus
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from connectors.site import PLANTS
from copilot.identity import UserDirectory
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalRefused
from copilot.store.audit import AuditKind
from evals.scenario import LotHoldSetup, Setup
from evals.world import SETUP_USER, World
from simulator.faults import FaultBoard
from simulator.mes import create_mes_app
from simulator.physics import PlantSimulation
from simulator.process import running_simulator
from twin.settings import TwinSettings

HOLD = LotHold(reason="burn marks on the housings since it was loaded", requested_by="eli")


@pytest.fixture(params=["riverside", "dyehouse"])
def plant_mes(request, tmp_path):
    """A plant's MES over its own simulation, and the lot its lot-running machine runs, a bad lot and that machine."""
    plant = load_plant(PLANTS / request.param / "plant.yaml")
    sim = PlantSimulation(plant, FaultBoard())
    machine = {"riverside": "IM-103", "dyehouse": "JD-102"}[request.param]
    bad = {"riverside": "LOT-24-0907", "dyehouse": "LOT-26-0318"}[request.param]
    with serving(create_mes_app(tmp_path / "mes.db", plant, FaultBoard(), sim)) as url:
        yield url, sim, machine, bad, plant


async def test_a_held_lot_is_refused_with_one_clear_error_and_issued_once_released(plant_mes):
    url, sim, machine, bad, _ = plant_mes
    running = sim.read(machine, "material_lot")
    async with MesClient(url, timeout=10, connect_timeout=5) as mes:
        held = await mes.hold_lot(bad.lower(), HOLD, idempotency_key="hold-1")  # ids in any case
        assert (held.id, held.status, held.reason) == (bad, LotStatus.on_hold, HOLD.reason)
        assert [r.id for r in await mes.lots(status=LotStatus.on_hold)] == [bad]
        with pytest.raises(Rejected) as refused:
            await mes.issue_lot(bad, LotIssue(machine_id=machine, requested_by="olga"), idempotency_key="issue-1")
        message = str(refused.value)
        assert f"(409): material lot {bad} is on hold ({HOLD.reason}) and cannot be issued to {machine}; release " \
               "it first or issue another lot of " in message
        assert message.count("\n") == 0 and "Traceback" not in message
        assert sim.read(machine, "material_lot") == running  # nothing changed
        with pytest.raises(Rejected, match="already on hold"):
            await mes.hold_lot(bad, HOLD, idempotency_key="hold-2")

        release = LotRelease(reason="the lab found it within spec", requested_by="eli")
        freed = await mes.release_lot(bad, release, idempotency_key="release-1")
        assert (freed.status, freed.reason) == (LotStatus.available, "")
        with pytest.raises(Rejected, match="is not on hold"):
            await mes.release_lot(bad, release, idempotency_key="release-2")
        issued = await mes.issue_lot(bad, LotIssue(machine_id=machine, requested_by="olga"), idempotency_key="i-2")
        assert [(e.event, e.by, e.machine_id) for e in issued.history] == [
            ("hold", "eli", ""), ("release", "eli", ""), ("issue", "olga", machine)]
        assert sim.read(machine, "material_lot") == bad


async def test_unknown_lots_and_machines_that_run_no_lots_are_named(plant_mes):
    url, _, machine, bad, plant = plant_mes
    pump = next(m.id for m in plant.machines.values() if "material_lot" not in m.tags)
    async with MesClient(url, timeout=10, connect_timeout=5) as mes:
        with pytest.raises(NotFound, match="unknown material lot 'LOT-00-0000'"):
            await mes.hold_lot("LOT-00-0000", HOLD, idempotency_key="h")
        with pytest.raises(Rejected, match=f"{pump} runs no material lots; machines that do: .*{machine}"):
            await mes.issue_lot(bad, LotIssue(machine_id=pump, requested_by="olga"), idempotency_key="i")
        with pytest.raises(NotFound, match="unknown machine 'XX-999'"):
            await mes.issue_lot(bad, LotIssue(machine_id="XX-999", requested_by="olga"), idempotency_key="j")


async def test_the_correction_holds_the_suspect_lot_after_sign_off_and_switches_the_press_back(sim, tmp_path):
    control = SimControl(sim)
    try:
        for _ in range(45):
            control.advance(60)
        control.text("HP-102", "material_lot", "LOT-24-0907")  # an off-spec lot on the press
        for _ in range(15):
            control.advance(60)
        model = script([call("line_quality_correction", machine="HP-102")],
                       [call("material_lot_release", lot="LOT-24-0907")])
        async with copilot_on(sim, tmp_path, model) as copilot, MesClient.from_settings(sim) as mes:
            [wait] = waiting(await ask(copilot, "olga", "the trim press is making scrap since the new lot, fix it",
                                       "fix"))
            assert wait.tool == "hold_lot"
            assert wait.change.startswith("material lot LOT-24-0907 (PA66-GF30 granulate) available → on hold: "
                                          "suspected of HP-102's defects: HP-102 material lot changed from "
                                          '"LOT-24-0812" to "LOT-24-0907"'), wait.change
            assert (await mes.lot("LOT-24-0907")).status is LotStatus.available  # nothing before the sign-off
            with pytest.raises(ApprovalRefused):
                await copilot.approve(wait.action_id, user("olga"))  # who asked never approves
            with pytest.raises(ApprovalRefused):
                await copilot.approve(wait.action_id, user("omar"))  # nor another operator
            _, resumed = await copilot.approve(wait.action_id, user("eli"), "hold it, the lab will test it")
            held = await mes.lot("LOT-24-0907")
            assert held.status is LotStatus.on_hold and held.reason.startswith("suspected of HP-102's defects")
            assert [(e.event, e.by) for e in held.history] == [("hold", "olga")]  # on the requester's behalf
            [result] = copilot.rt.audit.records(kind=AuditKind.result, tool="hold_lot")
            assert result.action_id == wait.action_id and "eli" in result.approvers
            [switch] = waiting(resumed)  # the press back on the lot it ran before, signed off too
            assert (switch.tool, switch.change) == ("issue_lot", "HP-102 material lot LOT-24-0907 → LOT-24-0812 "
                                                    "(PA66-GF30 granulate)")
            _, done = await copilot.approve(switch.action_id, user("sam"))
            async with open_plc(sim, copilot.rt.deps.plant, "modbus") as plc:
                assert (await plc.read("HP-102", "material_lot")).value == "LOT-24-0812"
            answer = [s for s in done if s.kind == "answer"][-1].text
            assert "Correction: material lot LOT-24-0907 on hold; HP-102 switched to material lot LOT-24-0812 " \
                   "(back to the lot it ran before); an inspection work order" in answer
            [order] = await copilot.rt.deps.erp.list_work_orders(machine_id="HP-102")
            assert order.title == "HP-102: inspect material lot LOT-24-0907"

            [release] = waiting(await ask(copilot, "olga", "the lab cleared LOT-24-0907, release it", "fix"))
            assert release.tool == "release_lot"
            await copilot.approve(release.action_id, user("sam"))
            assert (await mes.lot("LOT-24-0907")).status is LotStatus.available
    finally:
        control.close()


async def test_an_eval_world_puts_its_lots_on_hold_and_reads_their_status_back(sim):
    world = World(sim)
    try:
        await world.prepare(Setup(held_lots=[LotHoldSetup(lot="LOT-24-0907", reason="burn marks in the scenario")]))
        lots = {x.id: x for x in (await world.truth()).lots}
        assert (lots["LOT-24-0907"].status, lots["LOT-24-0907"].reason) == (LotStatus.on_hold,
                                                                           "burn marks in the scenario")
        assert lots["LOT-24-0907"].history[0].by == SETUP_USER and lots["LOT-24-0911"].status is LotStatus.available
        await world.prepare(Setup())  # the next scenario starts with every lot available
        assert all(x.status is LotStatus.available for x in (await world.truth()).lots)
    finally:
        world.close()


async def test_holding_a_lot_the_mes_does_not_know_is_one_clear_line_and_waits_for_nobody(sim, tmp_path):
    model = script([call("material_lot_hold", lot="LOT-00-0000")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "olga", "put lot LOT-00-0000 on hold, it looks wet")
        assert waiting(steps) == [] and copilot.pending() == []
        answer = [s for s in steps if s.kind == "answer"][-1].text
        assert "unknown material lot 'LOT-00-0000'" in answer and "Traceback" not in answer, answer
    async with MesClient.from_settings(sim) as mes:
        assert await mes.lots(status=LotStatus.on_hold) == []


async def test_on_the_dyehouse_an_off_shade_dye_lot_goes_on_hold_and_the_jet_back_to_its_lot(tmp_path):
    site = PLANTS / "dyehouse"
    people = UserDirectory.load(site / "users.yaml")
    with running_simulator(tmp_path / "sim", plant_file=site / "plant.yaml") as sim:
        connectors = ConnectorSettings(**{**sim.model_dump(), "site_dir": site, "plant_file": site / "plant.yaml"})
        control = SimControl(sim)
        try:
            control.advance(45 * 60)
            control.text("JD-102", "material_lot", "LOT-26-0318")  # an off-spec dye lot
            control.advance(15 * 60)
            model = script([call("line_quality_correction", machine="JD-102")])
            async with Copilot.open(model, settings=CopilotSettings(site_dir=site, data_dir=tmp_path / "data"),
                                    connectors=connectors, twin=TwinSettings(site_dir=site)) as copilot:
                steps = [s async for s in copilot.ask(people.get("priya"), "the navy is off shade since the new dye "
                                                      "lot, sort it out", thread_id="t")]
                [wait] = waiting(steps)
                assert wait.tool == "hold_lot" and wait.change.startswith(
                    "material lot LOT-26-0318 (reactive navy RN-3) available → on hold: suspected of JD-102's")
                _, resumed = await copilot.approve(wait.action_id, people.get("ines"))  # the quality engineer
                [switch] = waiting(resumed)
                assert switch.change == "JD-102 material lot LOT-26-0318 → LOT-26-0302 (reactive navy RN-3)"
                await copilot.approve(switch.action_id, people.get("helen"))
                assert (await copilot.rt.deps.plc.read("JD-102", "material_lot")).value == "LOT-26-0302"
                held = await copilot.rt.deps.mes.lot("LOT-26-0318")
                assert held.status is LotStatus.on_hold and [e.event for e in held.history] == ["hold"]
                [order] = await copilot.rt.deps.erp.list_work_orders(machine_id="JD-102")
                assert order.title == "JD-102: inspect material lot LOT-26-0318"
        finally:
            control.close()


async def test_which_lots_are_on_hold_is_answered_from_the_mes_with_why_and_what_each_machine_runs(sim, tmp_path):
    async with MesClient.from_settings(sim) as mes:
        await mes.hold_lot("LOT-24-0911", HOLD, idempotency_key="held-before")
    model = script([call("material_lots_lookup", on_hold_only=True)], [call("material_lots_lookup")])
    async with copilot_on(sim, tmp_path, model) as copilot:
        steps = await ask(copilot, "sam", "which lots are on hold right now?", "lots")
        answer = steps[-1].text
        assert waiting(steps) == [] and "1 of 1 material lots on hold: material lot LOT-24-0911 (PA66-GF30 " \
               f"granulate): on hold ({HOLD.reason})" in answer, answer
        assert "HP-102 runs LOT-24-0812, IM-103 runs LOT-24-0815" in answer
        every = (await ask(copilot, "sam", "and all the lots?", "lots"))[-1].text
        assert "1 of 5 material lots on hold: material lot LOT-24-0911" in every, every
