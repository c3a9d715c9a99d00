"""History from a real historian: the plant file names it (``historian:``), the simulator feeds InfluxDB, the OPC UA
server answers HistoryRead, and the monitor and the twin's fit read what the plant names — the MES's endpoint only
when it names none."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from agent_helpers import SimControl, script, user
from influxdb import running_influxdb
from typer.testing import CliRunner

from connectors.errors import ConnectorError, InvalidRequest, NotFound
from connectors.historian import (
    HistorianKind,
    HistorianSection,
    InfluxHistory,
    MesHistory,
    OpcUaHistory,
    open_history,
    point,
)
from connectors.plant import Plant, PlantFileError, load_plant
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from connectors.site import REPO
from copilot import Copilot
from copilot.monitor.alerts import Alerts
from copilot.monitor.spec import MonitorSpec
from copilot.monitor.watch import ACTOR, Monitor
from copilot.procedures.fitting import fitted_to
from copilot.procedures.spec import Procedures
from copilot.settings import CopilotSettings
from simulator.process import running_simulator, settings_env
from tools.registry import TOOLS
from twin import Change, load_twin
from twin.settings import TwinSettings
from ui.cli import app as plant_copilot

PLANTS = {"riverside": REPO / "plants" / "riverside", "dyehouse": REPO / "plants" / "dyehouse"}
DEADLINE_S = 120.0


def site_with(folder: Path, plant: str, historian: dict | None) -> Path:
    """A copy of a shipped plant's files in ``folder``, its plant file naming ``historian``; the plant file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("plant.yaml", "plm.yaml", "monitor.yaml", "twin.yaml"):
        if (PLANTS[plant] / name).is_file():
            shutil.copy(PLANTS[plant] / name, folder / name)
    raw = yaml.safe_load((folder / "plant.yaml").read_text())
    if historian is not None:
        raw["historian"] = historian
    (folder / "plant.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return folder / "plant.yaml"


# ------------------------------------------------------------------------------------------------ the plant file


@pytest.mark.parametrize(("section", "message"), [
    ({"kind": "osisoft"}, "historian.kind: Input should be 'mes', 'opcua' or 'influxdb'"),
    ({"kind": "influxdb", "url": "http://127.0.0.1:8086"}, "an influxdb historian needs its url"),
    ({"kind": "influxdb", "url": "127.0.0.1:8086", "database": "plant"}, "url starts with http:// or https://"),
    ({"kind": "opcua", "url": "http://127.0.0.1:4840"}, "url starts with opc.tcp://"),
    ({"kind": "mes", "database": "plant"}, "a mes historian has no database"),
    ({"kind": "influxdb", "url": "http://h:8086", "database": "plant", "bucket": "x"}, "historian.bucket"),
])
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_bad_historian_section_is_one_clear_line(tmp_path, plant, section, message):
    path = site_with(tmp_path, plant, section)
    with pytest.raises(PlantFileError) as raised:
        load_plant(path)
    assert message in str(raised.value) and str(path) in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_without_a_section_the_history_is_the_mes_and_with_one_the_named_historian(tmp_path, plant):
    settings = ConnectorSettings(plant_file=site_with(tmp_path / "none", plant, None))
    assert settings.load_plant().historian is None

    async def opened(plant_file: Path) -> object:
        chosen = ConnectorSettings(plant_file=plant_file)
        async with open_history(chosen, chosen.load_plant()) as source:
            return type(source), source.where

    assert asyncio.run(opened(settings.plant_file)) == (MesHistory, f"the MES at {settings.mes_url}")
    influx = site_with(tmp_path / "influx", plant, {"kind": "influxdb", "url": "http://127.0.0.1:9", "database": "d"})
    assert asyncio.run(opened(influx))[0] is InfluxHistory
    opcua = site_with(tmp_path / "opcua", plant, {"kind": "opcua"})
    assert load_plant(opcua).historian.kind is HistorianKind.opcua
    assert asyncio.run(opened(opcua)) == (OpcUaHistory, f"OPC UA HistoryRead at {settings.opcua_url}")


def test_a_sample_is_one_line_of_line_protocol_with_its_keys_escaped():
    line = point("samples", "P-101", "vibration", 3600.0, 2)
    assert line == "samples,machine=P-101,tag=vibration value=2.0 3600000000000"
    assert point("my m", "A,1", "x=y", 0.5, -1.25) == r"my\ m,machine=A\,1,tag=x\=y value=-1.25 500000000"


def test_an_influxdb_that_does_not_answer_is_a_connector_error_naming_it(tmp_path):
    plant_file = site_with(tmp_path, "riverside", {"kind": "influxdb", "url": "http://127.0.0.1:9", "database": "d"})

    async def read() -> None:
        settings = ConnectorSettings(plant_file=plant_file, connect_timeout_s=2)
        async with open_history(settings, settings.load_plant()) as source:
            await source.samples("P-101", "vibration", 5)

    with pytest.raises(ConnectorError, match="InfluxDB at http://127.0.0.1:9"):
        asyncio.run(read())


# ------------------------------------------------------------------------------------------------ on the simulator


@contextmanager
def plant_on_influxdb(tmp_path: Path, plant: str) -> Iterator[ConnectorSettings]:
    """A real InfluxDB and the simulator feeding it, the plant file naming it as the historian."""
    with running_influxdb(tmp_path / "influxdb") as url:
        plant_file = site_with(tmp_path / "site", plant, {"kind": "influxdb", "url": url, "database": "plant"})
        with running_simulator(tmp_path / "sim", plant_file=plant_file, influxdb=(url, "plant")) as sim:
            yield sim


def sim_time(sim: ConnectorSettings) -> float:
    return httpx.get(f"{sim.sim_url}/health", timeout=10).json()["sim_time"]


async def caught_up(sim: ConnectorSettings, plant: Plant) -> None:
    """Wait until InfluxDB's newest sample is the simulator's newest (its feed writes every half second)."""
    async with open_history(sim, plant) as source:
        assert isinstance(source, InfluxHistory)
        deadline = time.monotonic() + DEADLINE_S
        while await source.newest() != round(sim_time(sim) * 1e9):
            assert time.monotonic() < deadline, "InfluxDB did not get the simulator's samples in time"
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("plant", sorted(PLANTS))
async def test_historyread_the_influxdb_and_the_mes_give_the_same_samples(tmp_path, plant):
    with plant_on_influxdb(tmp_path, plant) as sim:
        plant_file = load_plant(sim.plant_file)
        machine = next(iter(plant_file.machines.values()))
        control = SimControl(sim)
        control.advance(300)
        await caught_up(sim, plant_file)
        on_opcua = plant_file.model_copy(update={"historian": HistorianSection(kind=HistorianKind.opcua)})
        on_mes = plant_file.model_copy(update={"historian": None})
        async with open_history(sim, plant_file) as influx, open_history(sim, on_opcua) as history_read, \
                open_history(sim, on_mes) as mes:
            assert isinstance(history_read, OpcUaHistory)
            for tag in [t.name for t in machine.tags.values() if not t.is_text]:
                stored = await influx.samples(machine.id, tag, 4)
                assert len(stored) == 241  # every second of the last four minutes, both ends in
                assert stored == await mes.samples(machine.id, tag, 4)
                read = await history_read.samples(machine.id, tag, 4)
                # the same instants; values as the node's data type holds them (a float32 tag to 7 digits)
                assert [t for t, _ in read] == [t for t, _ in stored]
                assert [v for _, v in read] == pytest.approx([v for _, v in stored], rel=1e-6, abs=1e-6)
            for source in (influx, history_read):
                with pytest.raises(NotFound):
                    await source.samples(machine.id, "no_such_tag", 4)
                with pytest.raises(InvalidRequest):
                    await source.samples(machine.id, "state", 0)
        # a reset: the clock goes back, and the feed empties the measurement and starts again
        httpx.post(f"{sim.sim_url}/reset", timeout=30).raise_for_status()
        control.advance(60)
        control.close()
        await caught_up(sim, plant_file)
        async with open_history(sim, plant_file) as influx:
            assert [t for t, _ in await influx.samples(machine.id, "state", 60)] == [float(s) for s in range(61)]


def mes_silenced(sim: ConnectorSettings, plant: Plant) -> None:
    """From here on the MES answers 500 to everything, its history too."""
    control = SimControl(sim)
    control.fault("mes_error")
    control.close()

    async def read() -> None:
        async with open_history(sim, plant.model_copy(update={"historian": None})) as mes:
            await mes.samples(next(iter(plant.machines)), "state", 5)

    with pytest.raises(ConnectorError):
        asyncio.run(read())


@pytest.mark.parametrize(("plant", "pump"), [("riverside", "P-101"), ("dyehouse", "WP-101")])
async def test_the_monitor_finds_bearing_wear_from_influxdb_alone(tmp_path, plant, pump):
    with plant_on_influxdb(tmp_path, plant) as sim:
        site = load_plant(sim.plant_file)
        control = SimControl(sim)
        control.advance(600)
        control.fault("bearing_wear", machine_id=pump, severity=0.6)
        control.advance(1200)
        control.close()
        await caught_up(sim, site)
        await asyncio.to_thread(mes_silenced, sim, site)

        settings = CopilotSettings(site_dir=sim.plant_file.parent, data_dir=tmp_path / "copilot")
        spec = MonitorSpec.load(settings.monitor_file, site, fitted_to(Procedures.load(settings.procedures_file,
                                                                                       TOOLS), site))
        twin = TwinSettings(site_dir=sim.plant_file.parent)
        async with Copilot.open(script(), settings=settings, connectors=sim, twin=twin) as copilot:
            assert isinstance(copilot.rt.deps.history, InfluxHistory)
            alerts = Alerts(copilot.rt.settings.state_db)
            done = await Monitor(copilot, spec, alerts, user(ACTOR)).check()
            assert (pump, "bearing wear") in {(a.machine_id, a.cause) for a in done.opened}, done
            assert done.unreadable == []
            alerts.close()


async def test_the_twin_fits_from_influxdb_alone(tmp_path):
    with plant_on_influxdb(tmp_path, "riverside") as sim:
        plant = load_plant(sim.plant_file)
        control = SimControl(sim)
        control.advance(600)
        for value in (190, 182):  # two oven steps for the twin to fit
            async with open_plc(sim, plant, "modbus") as plc:
                await plc.write("OV-201", "temp_setpoint", value)
            control.advance(1800)
        control.close()
        await caught_up(sim, plant)
        await asyncio.to_thread(mes_silenced, sim, plant)

        path = tmp_path / "twin.yaml"
        fitted = await asyncio.to_thread(CliRunner().invoke, plant_copilot, [
            "twin", "fit", "--hours", "2", "--machine", "OV-201", "--file", str(path)], env=settings_env(sim))
        assert fitted.exit_code == 0, fitted.output
        twin = load_twin(path, plant)
        zone = {m.reading: m for m in twin.models_for("OV-201", "temp_setpoint", Change.setpoint)}["zone_temp"]
        assert zone.gain > 0 and zone.steps == 2
        assert twin.period.source.startswith("InfluxDB at http://127.0.0.1:")


def test_a_bad_influxdb_url_for_the_simulator_is_one_clear_line():
    run = subprocess.run([sys.executable, "-m", "simulator", "--influxdb-url", "127.0.0.1:8086"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip() == "--influxdb-url: an InfluxDB URL starts with http:// or https://, not '127.0.0.1:8086'"
