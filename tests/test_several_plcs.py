"""Several PLCs and systems: each line on its own PLC endpoint, chosen from the registry; ERP and MES URLs.

The one simulator serves the plant on Modbus TCP and OPC UA at once, so a plant file can put line L1 on a
"Modbus PLC" and line L2 on an "OPC UA PLC" that are its two ports. Each line's tags keep only the address
of its own protocol: a machine routed to the wrong connector could not be read at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connectors.erp import ErpClient
from connectors.errors import InvalidRequest, Rejected, Unreachable
from connectors.mes import MesClient
from connectors.plant import Plant, PlantFileError, load_plant
from connectors.plc import Protocol, open_plc, plugin
from connectors.plc.modbus import ModbusEndpoint
from connectors.plc.modbus.client import ModbusPlc
from connectors.plc.opcua import OpcUaEndpoint
from connectors.plc.opcua.client import OpcUaPlc
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE
from simulator.process import free_ports

DEMO = DEMO_SITE / "plant.yaml"


def demo_raw() -> dict:
    with open(DEMO, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def written(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "plant.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def two_plc_plant(tmp_path: Path, sim: ConnectorSettings, *, modbus_port: int | None = None) -> Plant:
    """The demo plant with L1 on a Modbus PLC (tags without node ids) and L2 on an OPC UA PLC (tags without
    registers), both the simulator's; ``modbus_port`` moves the Modbus PLC elsewhere (nothing listening)."""
    raw = demo_raw()
    raw["plcs"] = {
        "press-shop": {"protocol": "modbus", "host": sim.host, "port": modbus_port or sim.modbus_port, "unit": 1},
        "paint-shop": {"protocol": "opcua", "url": sim.opcua_url},
    }
    l1, l2 = raw["lines"]
    l1["plc"], l2["plc"] = "press-shop", "paint-shop"
    for machine in l1["machines"]:
        for tag in machine["tags"].values():
            del tag["opcua"]
    for machine in l2["machines"]:
        for tag in machine["tags"].values():
            tag["type"] = tag.pop("modbus")["type"]
    return load_plant(written(tmp_path, raw))


async def test_each_line_is_read_and_written_over_its_own_plc(sim, tmp_path):
    plant = two_plc_plant(tmp_path, sim)
    reference = load_plant(DEMO)
    # the settings' protocol would be OPC UA: only the plant file's plc: sends L1 over Modbus
    async with open_plc(sim, plant, Protocol.opcua) as plc, open_plc(sim, reference, "modbus") as check:
        assert plc.endpoint_of("HP-102") == ModbusEndpoint(host=sim.host, port=sim.modbus_port, unit=1)
        assert plc.endpoint_of("OV-201") == OpcUaEndpoint(url=sim.opcua_url)

        press, oven = await plc.read_many("HP-102"), await plc.read_many("OV-201")
        assert set(press) == set(plant.machine("HP-102").tags) and set(oven) == set(plant.machine("OV-201").tags)
        assert press["pressure_setpoint"].value == (await check.read("HP-102", "pressure_setpoint")).value
        assert oven["temp_setpoint"].value == (await check.read("OV-201", "temp_setpoint")).value

        on_modbus = await plc.write("HP-102", "pressure_setpoint", 170)
        on_opcua = await plc.write("OV-201", "temp_setpoint", oven["temp_setpoint"].value + 5)
        assert (on_modbus.old_value, on_modbus.new_value) == (160, 170)
        assert on_opcua.new_value == on_opcua.old_value + 5
        assert (await check.read("HP-102", "pressure_setpoint")).value == 170
        assert (await check.read("OV-201", "temp_setpoint")).value == on_opcua.new_value

        with pytest.raises(Rejected, match="outside its limits 80..210"):
            await plc.write("HP-102", "pressure_setpoint", 230)
        with pytest.raises(Rejected, match="outside its limits 140..200"):
            await plc.write("OV-201", "temp_setpoint", 230)
        assert (await check.read("HP-102", "pressure_setpoint")).value == 170
        assert (await check.read("OV-201", "temp_setpoint")).value == on_opcua.new_value


async def test_a_dead_plc_fails_only_its_own_machines(sim, tmp_path):
    dead_port = free_ports(1)[0]
    plant = two_plc_plant(tmp_path, sim, modbus_port=dead_port)
    settings = sim.model_copy(update={"connect_timeout_s": 2.0})
    async with open_plc(settings, plant, Protocol.modbus) as plc:
        with pytest.raises(Unreachable, match=f"{sim.host}:{dead_port}"):
            await plc.read_many("P-101")
        with pytest.raises(Unreachable, match=f"{sim.host}:{dead_port}"):
            await plc.write("HP-102", "pressure_setpoint", 170)
        assert (await plc.read("FL-202", "fill_setpoint")).value == 500  # L2's PLC still answers


async def test_machines_without_a_plc_are_on_the_settings_plc_in_the_chosen_protocol(sim, tmp_path):
    raw = demo_raw()
    raw["plcs"] = {"paint-shop": {"protocol": "opcua", "url": sim.opcua_url}}
    raw["lines"][1]["machines"][0]["plc"] = "paint-shop"  # OV-201 alone; the rest name no PLC
    plant = load_plant(written(tmp_path, raw))
    async with open_plc(sim, plant, "modbus") as plc:
        assert plc.endpoint_of("OV-201") == OpcUaEndpoint(url=sim.opcua_url)
        assert plc.endpoint_of("FL-202") == ModbusEndpoint(host=sim.host, port=sim.modbus_port, unit=1)
        assert (await plc.read("FL-202", "fill_setpoint")).value == 500
        assert (await plc.read("OV-201", "run")).value is True


@pytest.mark.parametrize(("mistake", "field", "why"), [
    (lambda raw: raw["lines"][0].update(plc="nowhere"), "lines.0.plc", "unknown PLC 'nowhere'"),
    (lambda raw: raw["lines"][1]["machines"][2].update(plc="nowhere"), "lines.1.machines.2.plc",
     "machine CV-203 names unknown PLC 'nowhere'"),
    (lambda raw: raw["plcs"]["paint-shop"].update(url="http://10.0.0.7:4840"), "plcs.paint-shop.opcua.url",
     "opc.tcp://HOST:PORT"),
    (lambda raw: raw["plcs"]["paint-shop"].update(protocol="profinet"), "plcs.paint-shop",
     "protocol must be one of: modbus, opcua, mqtt"),
    (lambda raw: raw["plcs"]["press-shop"].update(unit=300), "plcs.press-shop.modbus.unit", "less than or equal"),
    (lambda raw: raw["lines"][1]["machines"][0].update(plc="press-shop"), "lines.1.machines.0.tags",
     "OV-201 is on modbus PLC 'press-shop', but its tags .* have no modbus address"),
])
def test_a_plant_file_with_a_mistake_is_refused_naming_the_field(tmp_path, mistake, field, why):
    raw = demo_raw()
    raw["plcs"] = {"press-shop": {"protocol": "modbus", "host": "10.0.0.5"},
                   "paint-shop": {"protocol": "opcua", "url": "opc.tcp://10.0.0.6:4840/"}}
    raw["lines"][0]["plc"] = "press-shop"
    for machine in raw["lines"][1]["machines"]:  # L2 is reached over OPC UA only
        machine["plc"] = "paint-shop"
        for tag in machine["tags"].values():
            tag["type"] = tag.pop("modbus")["type"]
    load_plant(written(tmp_path, raw))  # as it stands, the file is right
    mistake(raw)
    with pytest.raises(PlantFileError, match=why) as refused:
        load_plant(written(tmp_path, raw))
    assert f"{field}:" in str(refused.value) and str(tmp_path / "plant.yaml") in str(refused.value)


def test_a_tag_needs_only_the_address_of_its_protocol(tmp_path):
    raw = demo_raw()
    del raw["lines"][0]["machines"][0]["tags"]["vibration"]["opcua"]
    plant = load_plant(written(tmp_path, raw))
    assert plant.tag("P-101", "vibration").opcua is None and plant.tag("P-101", "vibration").value_type == "float32"
    del raw["lines"][0]["machines"][0]["tags"]["vibration"]["modbus"]
    with pytest.raises(PlantFileError,
                       match="P-101.vibration needs a modbus address, an opcua node id or an mqtt metric name"):
        load_plant(written(tmp_path, raw))


async def test_a_tag_without_the_address_of_the_protocol_asked_is_refused_clearly(sim, tmp_path):
    plant = two_plc_plant(tmp_path, sim)
    bare = plant.model_copy(update={"plcs": {}, "lines": [line.model_copy(update={"plc": None})
                                                           for line in plant.lines]})
    async with open_plc(sim, bare, "opcua") as plc:
        with pytest.raises(InvalidRequest, match="P-101.vibration has no OPC UA node id"):
            await plc.read("P-101", "vibration")


def test_open_plc_picks_the_connector_from_the_registry(sim):
    plant = load_plant(DEMO)
    assert plugin(Protocol.modbus).connector() is ModbusPlc and plugin("opcua").connector() is OpcUaPlc
    with pytest.raises(InvalidRequest, match="unknown PLC protocol .profinet.; use one of: modbus, opcua, mqtt"):
        open_plc(sim, plant, "profinet")
    with pytest.raises(InvalidRequest, match="unknown PLC protocol"):
        plugin("modbus-rtu")


def test_the_shared_plc_module_imports_no_protocol_connector():
    """The registry finds the plugins without their stacks: connectors.plc (and loading a plant) load no client."""
    probe = ("import sys, connectors.plc, connectors.settings; connectors.settings.ConnectorSettings().load_plant(); "
             "print(sorted(m for m in ('connectors.plc.modbus.client', 'connectors.plc.opcua.client', "
             "'connectors.plc.sparkplug.client', 'asyncua', 'pymodbus', 'aiomqtt', 'google.protobuf') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


async def test_the_mes_and_erp_are_reached_at_their_own_urls(sim, monkeypatch):
    dead = f"http://127.0.0.1:{free_ports(1)[0]}"
    monkeypatch.setenv("PLANT_MES_URL", dead)
    monkeypatch.setenv("PLANT_ERP_URL", sim.erp_url + "/")
    settings = ConnectorSettings(**sim.model_dump(exclude={"erp_url", "mes_url"}))
    assert (settings.mes_url, settings.erp_url) == (dead, sim.erp_url)
    async with MesClient.from_settings(settings) as mes, ErpClient.from_settings(settings) as erp, \
            open_plc(settings, settings.load_plant(), "modbus") as plc:
        with pytest.raises(Unreachable, match=f"MES at {dead} is unreachable"):
            await mes.lines()
        assert (await erp.get_part("BRG-6205")).id == "BRG-6205"
        assert (await plc.read("FL-202", "fill_setpoint")).value == 500


def test_the_erp_and_mes_urls_default_to_the_host_and_their_ports():
    settings = ConnectorSettings(host="10.1.2.3", erp_port=9001, mes_port=9002)
    assert (settings.erp_url, settings.mes_url) == ("http://10.1.2.3:9001", "http://10.1.2.3:9002")
    assert ConnectorSettings(erp_url="https://erp.example.com/sap/").erp_url == "https://erp.example.com/sap"
