"""A tool worn past its rated life (issue #29), on both plants: the simulator counts each tool's cycles since its last
change and serves them from the MES; a tool run past its life raises its machine's defect rate and the class the
camera sees (flash from a worn mould, uneven fabric from a worn jet nozzle); a changed tool starts again from 0;
and on the running simulator the quality procedure ranks the worn mould first and opens a work order to change it."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from agent_helpers import SimControl, ask, call, copilot_on, script, user
from http_services import serving
from test_quality_loop import answers, defect_detection, run_inspected

from connectors.camera import CameraClient
from connectors.errors import InvalidRequest
from connectors.mes import MesClient
from connectors.plant import load_plant
from connectors.site import PLANTS
from copilot.monitor import Inspector
from copilot.monitor.alerts import Alerts
from copilot.monitor.watch import ACTOR, Monitor
from simulator.camera import CameraService
from simulator.faults import Fault, FaultBoard, FaultKind
from simulator.mes import create_mes_app
from simulator.physics import PlantSimulation

# plant -> the machine its camera follows, its camera, the class a worn tool makes there, the camera's interval
WORN = {"riverside": ("IM-103", "CAM-L1", "flash", 30.0), "dyehouse": ("JD-102", "CAM-D1", "uneven", 60.0)}


@pytest.fixture(params=list(WORN))
def plant_sim(request):
    plant = load_plant(PLANTS / request.param / "plant.yaml")
    sim = PlantSimulation(plant, FaultBoard())
    return request.param, plant, sim


def shots_between(cameras: CameraService, station: str, start: float, end: float) -> Counter[str]:
    return Counter(s.label.value for s in cameras.shots(station, limit=500) if start < s.sim_time <= end)


def test_a_tool_past_its_rated_life_shows_as_its_defect_class_and_a_new_tool_ends_it(plant_sim):
    name, plant, sim = plant_sim
    machine, station, worn_class, every_s = WORN[name]
    cameras = CameraService(plant, sim)
    sim.watch(cameras.observe)
    rated = plant.machine(machine).tool.rated_cycles
    shots = int(120 * every_s)  # 120 shots in each part
    sim.tick(shots)
    usual_rate = sim.read(machine, "defect_rate")
    assert sim.tool_cycles(machine) < rated
    sim.inject_fault(Fault(kind=FaultKind.tool_wear, machine_id=machine, severity=0.6))
    assert sim.tool_cycles(machine) > 1.3 * rated
    sim.tick(2 * shots)
    before = shots_between(cameras, station, 0, shots)
    after = shots_between(cameras, station, 2 * shots, 3 * shots)  # the defect rate has settled
    assert before[worn_class] <= 0.05 * sum(before.values())
    assert after[worn_class] >= 0.12 * sum(after.values()) > 0, after
    assert sim.read(machine, "defect_rate") >= usual_rate + 1.5
    assert sim.clear_faults(FaultKind.tool_wear, machine) == 1  # the tool changed
    assert sim.tool_cycles(machine) == 0
    sim.tick(2 * shots)
    assert sim.read(machine, "defect_rate") <= usual_rate + 0.5
    assert shots_between(cameras, station, 4 * shots, 5 * shots)[worn_class] <= 0.05 * 120


async def test_the_mes_serves_each_tools_cycles_as_they_grow_and_a_machine_without_a_tool_is_named(plant_sim,
                                                                                                   tmp_path):
    name, plant, sim = plant_sim
    machine = WORN[name][0]
    with serving(create_mes_app(tmp_path / "mes.db", plant, FaultBoard(), sim)) as url:
        async with MesClient(url, timeout=10, connect_timeout=5) as mes:
            start = {t.machine_id: t for t in await mes.tools()}
            assert set(start) == {m.id for m in plant.machines.values() if m.tool is not None} and machine in start
            assert start[machine].rated_cycles == plant.machine(machine).tool.rated_cycles
            sim.tick(4 * 3600)
            [now] = [t for t in await mes.tools(line=plant.machine(machine).line_id) if t.machine_id == machine]
            assert now.cycles > start[machine].cycles and now.tool == plant.machine(machine).tool.name
    pump = next(m.id for m in plant.machines.values() if m.tool is None)
    with pytest.raises(InvalidRequest, match=f"{pump} has no tool to wear; machines with one: .*{machine}"):
        sim.inject_fault(Fault(kind=FaultKind.tool_wear, machine_id=pump))


async def test_a_worn_mould_is_found_first_with_its_cycles_and_flash_and_gets_a_tool_change_order(sim, tmp_path):
    control = SimControl(sim)
    try:
        async with CameraClient.from_settings(sim) as camera, MesClient.from_settings(sim) as mes, \
                copilot_on(sim, tmp_path, script()) as copilot:
            inspector = Inspector(camera, mes)
            await inspector.check()
            await run_inspected(control, inspector, 50)
            control.fault("tool_wear", machine_id="IM-103", severity=0.8)  # the mould 60 % past its rated life
            await run_inspected(control, inspector, 10)  # a jump, not a drift: the usual is read before it
            alerts = Alerts(copilot.rt.settings.state_db)
            done = await Monitor(copilot, defect_detection(), alerts, user(ACTOR)).check()
            assert [(a.machine_id, a.cause) for a in done.opened] == [("L1", "defect rate above usual")]
            [order] = [s for s in done.steps if s.kind == "result" and s.tool == "create_work_order"]
            assert order.status == "done" and copilot.pending() == []  # no setpoint to move, no lot to hold
            [opened] = await copilot.rt.deps.erp.list_work_orders(machine_id="IM-103")
            assert opened.title.startswith("IM-103: change the housing mould HX-200-2K (")
            assert opened.title.endswith(" cycles, rated 120000)")
            [found] = answers(done.steps)
            first = found.split("Likely causes, most likely first: 1) ", 1)[1]
            assert first.startswith("IM-103 housing mould HX-200-2K at "), first
            assert "past its rated life of 120000 cycles" in first.split("; 2)")[0]
            assert "it makes flash" in first.split("; 2)")[0]
            alerts.close()
    finally:
        control.clear()
        control.close()


async def test_how_worn_a_tool_is_is_answered_with_its_cycles_against_its_rated_life(sim, tmp_path):
    control = SimControl(sim)
    model = script([call("tool_life_check", machine="IM-103")], [call("tool_life_check", line="L1")],
                   [call("tool_life_check", line="L2")])
    try:
        async with copilot_on(sim, tmp_path, model) as copilot:
            answer = (await ask(copilot, "eli", "how many shots has the mould on IM-103 done since it was changed?",
                                "tools"))[-1].text
            assert re.search(r"IM-103 housing mould HX-200-2K: 972\d\d cycles since its last change, rated 120000 "
                             r"\(81 %\)", answer), answer
            control.fault("tool_wear", machine_id="IM-103", severity=0.5)
            answer = (await ask(copilot, "eli", "is any tool on line 1 past its rated life?", "tools"))[-1].text
            assert re.search(r"HP-102 trim die TD-250: 155\d\d\d cycles since its last change, rated 250000 \(62 %\); "
                             r"IM-103 housing mould HX-200-2K: 1572\d\d cycles since its last change, rated 120000 "
                             r"\(131 %, past its rated life\)", answer), answer
            answer = (await ask(copilot, "eli", "and on line 2?", "tools"))[-1].text
            assert answer == "- No machine asked about has a tool with a rated life", answer
    finally:
        control.clear()
        control.close()
