"""The in-line camera over real HTTP from the simulator's service, its connector, and the inspector that records
what the defect model sees in the real MES (issue #29)."""

from __future__ import annotations

import io
import sqlite3
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from PIL import Image

from connectors.camera import CameraClient
from connectors.errors import NotFound, Rejected, Unreachable
from connectors.mes import MesClient
from connectors.plant import PlantFileError, load_plant
from connectors.records import InspectionCreate
from connectors.settings import ConnectorSettings
from connectors.shots import DefectClass, Subject
from connectors.site import REPO
from connectors.stations import CameraStation
from copilot.monitor import INSPECTOR, Inspector
from simulator.camera import CameraService
from simulator.faults import FaultBoard
from simulator.mes_quality import quality_report
from simulator.mes_store import open_mes_store
from simulator.part_images import SIZE
from simulator.physics import PlantSimulation
from simulator.process import running_simulator

STATION, MACHINE, LOT, BAD_LOT = "CAM-L1", "IM-103", "LOT-24-0815", "LOT-24-0907"


def _advance(sim: ConnectorSettings, seconds: float) -> None:
    assert httpx.post(f"{sim.sim_url}/advance", json={"seconds": seconds}, timeout=60).status_code == 200


def test_the_camera_serves_its_newest_picture_with_its_label_over_http(sim: ConnectorSettings) -> None:
    assert httpx.get(f"{sim.camera_url}/api/v1/cameras/{STATION}/latest", timeout=10).status_code == 404
    _advance(sim, 300)
    response = httpx.get(f"{sim.camera_url}/api/v1/cameras/{STATION}/latest", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["x-inspection-id"] == f"{STATION}-000010"
    assert response.headers["x-machine-id"] == MACHINE and response.headers["x-material-lot"] == LOT
    assert response.headers["x-label"] in {c.value for c in DefectClass}
    assert float(response.headers["x-sim-time"]) == 300.0
    with Image.open(io.BytesIO(response.content)) as picture:
        assert picture.size == (SIZE, SIZE) and picture.mode == "L"


async def test_the_connector_reads_stations_shots_and_pictures(sim: ConnectorSettings) -> None:
    _advance(sim, 600)
    async with CameraClient.from_settings(sim) as camera:
        [station] = await camera.stations()
        assert (station.id, station.line_id, station.machine_id, station.last_seq) == (STATION, "L1", MACHINE, 20)
        assert station.subject is Subject.housing
        shots = await camera.shots(STATION, after=15)
        assert [s.seq for s in shots] == [16, 17, 18, 19, 20]
        latest, png = await camera.latest(STATION)
        assert latest == shots[-1]
        assert await camera.image(STATION, latest.id) == png
        with pytest.raises(NotFound, match="unknown camera station 'CAM-X'.*CAM-L1"):
            await camera.shots("CAM-X")
        with pytest.raises(NotFound, match="keeps no shot"):
            await camera.image(STATION, "CAM-L1-999999")


async def test_a_dead_camera_service_is_unreachable() -> None:
    async with CameraClient("http://127.0.0.1:9", timeout=2, connect_timeout=1) as camera:
        with pytest.raises(Unreachable, match="camera service .* is unreachable"):
            await camera.stations()


def test_a_barrel_drifting_hot_shows_as_flash_on_the_camera(sim: ConnectorSettings) -> None:
    _advance(sim, 1800)
    fault = {"kind": "temp_controller_drift", "machine_id": MACHINE, "severity": 1.0}
    assert httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).status_code == 201
    _advance(sim, 3600)
    shots = httpx.get(f"{sim.camera_url}/api/v1/cameras/{STATION}/shots", params={"limit": 500}, timeout=10).json()
    before = Counter(s["label"] for s in shots if s["sim_time"] <= 1800)
    after = Counter(s["label"] for s in shots if s["sim_time"] > 3000)  # the barrel has settled hot
    assert before["ok"] >= 0.9 * sum(before.values())
    assert after["flash"] >= 0.4 * sum(after.values()) > 0


async def test_the_inspector_records_what_the_model_sees_in_the_mes(sim: ConnectorSettings) -> None:
    async with CameraClient.from_settings(sim) as camera, MesClient.from_settings(sim) as mes:
        inspector = Inspector(camera, mes)
        assert (await inspector.check()).recorded == []  # the first pass only marks where it starts
        _advance(sim, 900)
        text = {"machine_id": MACHINE, "tag": "material_lot", "text": BAD_LOT}
        assert httpx.post(f"{sim.sim_url}/text", json=text, timeout=10).status_code == 204
        _advance(sim, 1800)
        done = await inspector.check()
        truth = await camera.shots(STATION, limit=500)
        report = await mes.quality(machine_id=MACHINE)
    assert done.unreadable == [] and done.unreachable == []
    assert [(i.material_lot, i.inspected) for i in done.recorded] == [(LOT, 30), (BAD_LOT, 60)]
    for inspection in done.recorded:
        true_defects = Counter(s.label.value for s in truth if s.material_lot == inspection.material_lot
                               and s.label.is_defect)
        assert inspection.requested_by == INSPECTOR and inspection.machine_id == MACHINE
        assert sum(inspection.defects_by_class.values()) == inspection.defects
        assert abs(inspection.defects - sum(true_defects.values())) <= 2
        assert inspection.taken_at == max(s.sim_time for s in truth if s.material_lot == inspection.material_lot)
    bad = done.recorded[1]
    assert bad.defects_by_class.get("burn_mark", 0) >= 5 and bad.defect_type == "burn_mark"
    assert {i.id for i in report.machines[0].inspections} >= {i.id for i in done.recorded}


async def test_a_second_pass_records_only_new_pictures(sim: ConnectorSettings) -> None:
    async with CameraClient.from_settings(sim) as camera, MesClient.from_settings(sim) as mes:
        inspector = Inspector(camera, mes)
        await inspector.check()
        _advance(sim, 300)
        first = await inspector.check()
        again = await inspector.check()
        _advance(sim, 60)
        third = await inspector.check()
    assert [i.inspected for i in first.recorded] == [10]
    assert again.recorded == []
    assert [i.inspected for i in third.recorded] == [2]
    assert first.recorded[0].note.startswith(f"camera {STATION}, shots {STATION}-000001 to {STATION}-000010")


async def test_defects_by_class_that_do_not_add_up_are_refused_by_the_mes(sim: ConnectorSettings) -> None:
    record = InspectionCreate.model_construct(
        machine_id=MACHINE, inspected=10, defects=3, defect_type="flash", note="", requested_by="qa",
        material_lot=LOT, defects_by_class={"flash": 2})
    async with MesClient.from_settings(sim) as mes:
        with pytest.raises(Rejected, match="defects by class add up to 2, not to the 3 defects found"):
            await mes.record_inspection(record, idempotency_key="by-class-wrong")
        assert (await mes.quality(machine_id=MACHINE)).machines[0].inspections == []


def test_an_mes_database_from_before_lots_and_classes_gains_them(tmp_path) -> None:
    path = tmp_path / "mes.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE inspections (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, machine_id TEXT "
                     "NOT NULL, line_id TEXT NOT NULL, inspected INTEGER NOT NULL, defects INTEGER NOT NULL, "
                     "defect_type TEXT NOT NULL, note TEXT NOT NULL, requested_by TEXT NOT NULL, recorded_at TEXT "
                     "NOT NULL)")
        conn.execute("INSERT INTO inspections VALUES ('INS-00001', 1, 'IM-103', 'L1', 20, 1, 'flash', '', 'olga', ?)",
                     (datetime.now(UTC).isoformat(),))
    plant = load_plant(REPO / "plants" / "riverside" / "plant.yaml")
    faults = FaultBoard()
    store = open_mes_store(path, plant, faults, PlantSimulation(plant, faults))
    [old] = quality_report(store, None, MACHINE, 60.0).machines[0].inspections
    assert (old.id, old.material_lot, old.defects_by_class, old.taken_at) == ("INS-00001", "", {}, None)


async def test_after_a_plant_reset_the_inspector_follows_the_camera_from_its_first_shot(
        sim: ConnectorSettings) -> None:
    async with Inspector.open(sim) as inspector:
        await inspector.check()
        _advance(sim, 300)
        assert [i.inspected for i in (await inspector.check()).recorded] == [10]
        assert httpx.post(f"{sim.sim_url}/reset", timeout=30).status_code == 200
        _advance(sim, 120)
        done = await inspector.check()
    assert [(i.inspected, i.id) for i in done.recorded] == [(4, "INS-00001")]  # a fresh MES, its first record


def test_a_camera_must_follow_a_machine_of_its_line(tmp_path) -> None:
    text = (REPO / "plants" / "riverside" / "plant.yaml").read_text()
    wrong = tmp_path / "plant.yaml"
    wrong.write_text(text.replace("line: L1, follows: IM-103", "line: L2, follows: IM-103"))
    with pytest.raises(PlantFileError, match="camera CAM-L1 follows 'IM-103', which is not a machine of line 'L2'"):
        load_plant(wrong)


def test_the_simulator_refuses_a_camera_on_parts_it_cannot_draw() -> None:
    plant = load_plant(REPO / "plants" / "riverside" / "plant.yaml")
    on_a_belt = plant.model_copy(update={"cameras": [CameraStation(id="CAM-L2", name="belt", line="L2",
                                                                   follows="CV-203")]})
    with pytest.raises(ValueError, match="camera CAM-L2 follows CV-203, a conveyor; the simulator draws what these "
                                         "make: injection_moulder, jet_dyer"):
        CameraService(on_a_belt, PlantSimulation(on_a_belt, FaultBoard()))


async def test_a_drifting_barrel_raises_the_flash_the_inspector_records(sim: ConnectorSettings) -> None:
    async with Inspector.open(sim) as inspector:
        await inspector.check()
        _advance(sim, 1800)
        [before] = (await inspector.check()).recorded
        fault = {"kind": "temp_controller_drift", "machine_id": MACHINE, "severity": 1.0}
        assert httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).status_code == 201
        _advance(sim, 1200)  # the barrel on its way up
        await inspector.check()
        _advance(sim, 1800)
        [after] = (await inspector.check()).recorded
    assert before.defect_rate <= 10.0 and before.defects_by_class.get("flash", 0) <= 3
    assert after.defect_type == "flash" and after.defects_by_class["flash"] >= 0.4 * after.inspected


@pytest.fixture(scope="module")
def dyehouse(tmp_path_factory: pytest.TempPathFactory):
    with running_simulator(tmp_path_factory.mktemp("sim-dyehouse-camera"),
                           plant_file=REPO / "plants" / "dyehouse" / "plant.yaml") as sim:
        yield sim


async def test_the_dyehouse_shade_camera_sees_a_bad_dye_lot_and_the_inspector_records_it(dyehouse) -> None:
    async with Inspector.open(dyehouse) as inspector:
        await inspector.check()
        _advance(dyehouse, 3600)
        [before] = (await inspector.check()).recorded
        text = {"machine_id": "JD-102", "tag": "material_lot", "text": "LOT-26-0318"}  # off-spec dye
        assert httpx.post(f"{dyehouse.sim_url}/text", json=text, timeout=10).status_code == 204
        _advance(dyehouse, 1800)  # the shade on its way off
        await inspector.check()
        _advance(dyehouse, 3600)
        [after] = (await inspector.check()).recorded
        [station] = await inspector.camera.stations()
    assert (station.id, station.machine_id, station.subject) == ("CAM-D1", "JD-102", Subject.fabric)
    assert (before.inspected, before.material_lot) == (60, "LOT-26-0302") and before.defects <= 4
    assert after.material_lot == "LOT-26-0318" and after.defect_type == "off_shade"
    assert after.defects_by_class["off_shade"] >= 0.15 * after.inspected
