"""Modbus as devices really are (issue #32): a device whose stack we did not write, in its own word and byte
orders, padding its text with spaces and refusing function 16 for one register; and plants without OPC UA.

The device is tests/interop/modbus_device.mjs (modbus-serial's ServerTCP, installed by ``make test`` with
``npm ci --prefix tests/interop``), a subprocess on a free loopback port that prints each write it takes and ends
by itself; without Node.js or the package only its tests are skipped. The Modbus-only plant is also served by the
simulator (ABCD, as the demo) and checked there.
"""

from __future__ import annotations

import json
import queue
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connectors.errors import Rejected
from connectors.plant import PlantFileError, load_plant
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE
from simulator.process import free_ports, running_simulator, settings_env
from ui.cli import app as plant_copilot

INTEROP = Path(__file__).parent / "interop"
NODE = shutil.which("node")
needs_modbus_serial = pytest.mark.skipif(
    NODE is None or not (INTEROP / "node_modules" / "modbus-serial").is_dir(),
    reason="modbus-serial is not installed: needs Node.js and npm, then `npm ci --prefix tests/interop` "
           "(make test does it; it skips this when npm is missing)")
DEADLINE_S = 30.0
PLC = "chiller"


@dataclass
class Device:
    """The running device: its port, and the lines it printed, one JSON object each, as they come."""

    port: int
    lines: queue.Queue

    def next_line(self) -> dict:
        try:
            return json.loads(self.lines.get(timeout=DEADLINE_S))
        except queue.Empty:
            raise AssertionError(f"the device printed nothing within {DEADLINE_S:g} s") from None


@pytest.fixture
def device() -> Iterator[Device]:
    port = free_ports(1)[0]
    proc = subprocess.Popen([NODE, str(INTEROP / "modbus_device.mjs"), str(port)], cwd=INTEROP, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin", "INTEROP_TIMEOUT_MS": "120000"})
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    try:
        found = Device(port, lines)
        assert found.next_line() == {"listening": port}
        yield found
    finally:
        proc.stdin.close()  # the device ends when its stdin does
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)


def _register(table: str, address: int, kind: str, **more: object) -> dict:
    return {"table": table, "address": address, "type": kind, **more}


CHILLER_TAGS = {
    "supply_temp": {"unit": "degC", "min": 0, "max": 30, "modbus": _register("input_register", 0, "float32")},
    "return_temp": {"unit": "degC", "min": 0, "max": 30,
                    "modbus": _register("input_register", 2, "float32", order="DCBA")},
    "run_hours": {"unit": "h", "min": 0, "max": 1000000, "modbus": _register("input_register", 4, "uint32")},
    "superheat": {"unit": "K", "min": -50, "max": 50, "modbus": _register("input_register", 6, "int32", scale=100)},
    "model": {"modbus": _register("input_register", 10, "string", length=8, order="BADC")},
    "setpoint": {"unit": "degC", "writable": True, "min": 4, "max": 15, "max_step": 2,
                 "modbus": _register("holding_register", 100, "uint16", scale=10)},
    "flow_limit": {"unit": "m3/h", "writable": True, "min": 0, "max": 200,
                   "modbus": _register("holding_register", 101, "float32")},
}


def chiller_plant(path: Path, port: int, **device: object) -> Path:
    """A Modbus-only plant file (no OPC UA namespace) with one chiller on the device at ``port``; ``device``: the
    PLC entry's order, padding and write function."""
    raw = {
        "plant": {"id": "cooling", "name": "Cooling plant"},
        "plcs": {PLC: {"protocol": "modbus", "host": "127.0.0.1", "port": port, **device}},
        "lines": [{"id": "U1", "name": "Utilities", "plc": PLC, "machines": [{
            "id": "CH-1", "name": "Chiller", "kind": "chiller", "model": "CH-450", "manufacturer": "Frigo",
            "tags": CHILLER_TAGS}]}],
        "suppliers": [], "parts": [], "products": [], "production_orders": [],
    }
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def check(plant_file: Path, env: dict[str, str] | None = None, protocol: str = "modbus"):
    """``plant-copilot plant check`` of ``plant_file``, as an admin runs it."""
    return CliRunner().invoke(plant_copilot, ["plant", "check", "--plant-file", str(plant_file),
                                              "--protocol", protocol], env=env)


def as_float32(x: float) -> float:
    return struct.unpack(">f", struct.pack(">f", x))[0]


@needs_modbus_serial
async def test_a_device_read_in_its_own_orders(device, tmp_path):
    plant = load_plant(chiller_plant(tmp_path / "plant.yaml", device.port, order="CDAB", padding="space"))
    assert plant.plant.opcua_namespace is None
    async with open_plc(ConnectorSettings(), plant, "modbus") as plc:
        values = {name: read.value for name, read in (await plc.read_many("CH-1")).items()}
    assert values == {"supply_temp": as_float32(6.53), "return_temp": as_float32(12.37), "run_hours": 123456,
                      "superheat": -12.34, "model": "CH-450 Chiller", "setpoint": 7.0, "flow_limit": 150.75}


@needs_modbus_serial
def test_plant_check_warns_of_a_value_read_in_the_wrong_order(device, tmp_path):
    right = check(chiller_plant(tmp_path / "right.yaml", device.port, order="CDAB", padding="space"))
    assert right.exit_code == 0, right.output
    assert f"PLC {PLC} (modbus 127.0.0.1:{device.port} unit 1): 1 machine(s), 7 tag(s): ok" in right.output

    wrong = check(chiller_plant(tmp_path / "wrong.yaml", device.port, padding="space"))  # the default, ABCD
    assert wrong.exit_code == 0, wrong.output  # a note: the check cannot know the value is wrong, only unlikely
    notes = {line.split()[1].rstrip(":"): line for line in wrong.output.splitlines() if line.startswith("  note")}
    assert set(notes) == {"CH-1.supply_temp", "CH-1.run_hours", "CH-1.superheat", "CH-1.flow_limit"}
    assert notes["CH-1.supply_temp"].endswith("degC, outside 0..30: wrong word order or scale?")
    assert "CH-1.run_hours: reads 3795845121 h, outside 0..1000000" in notes["CH-1.run_hours"]
    assert "0 problem(s), 4 note(s)" in wrong.output


@needs_modbus_serial
async def test_a_single_register_write_takes_the_devices_function(device, tmp_path):
    plant = load_plant(chiller_plant(tmp_path / "plant.yaml", device.port, order="CDAB", write_function=6))
    async with open_plc(ConnectorSettings(), plant, "modbus") as plc:
        written = await plc.write("CH-1", "setpoint", 7.5)
        assert (written.old_value, written.new_value) == (7.0, 7.5)
        assert device.next_line() == {"function": 6, "address": 100, "registers": [75]}
        await plc.write("CH-1", "flow_limit", 160.25)
        high, low = struct.unpack(">2H", struct.pack(">f", 160.25))
        assert device.next_line() == {"function": 16, "address": 101, "registers": [low, high]}  # two: always 16
        assert (await plc.read("CH-1", "flow_limit")).value == 160.25


@needs_modbus_serial
async def test_function_16_for_one_register_is_refused_by_such_a_device(device, tmp_path):
    plant = load_plant(chiller_plant(tmp_path / "plant.yaml", device.port))  # write_function: 16, as before
    async with open_plc(ConnectorSettings(), plant, "modbus") as plc:
        with pytest.raises(Rejected, match=r"with function 16: .*Modbus exception 1, illegal function"):
            await plc.write("CH-1", "setpoint", 7.5)
        assert (await plc.read("CH-1", "setpoint")).value == 7.0


def modbus_only_demo(path: Path) -> Path:
    """The demo plant without OPC UA: no namespace, no node ids."""
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text(encoding="utf-8"))
    del raw["plant"]["opcua_namespace"], raw["plant"]["opcua_writes_without_security"]
    for line in raw["lines"]:
        for machine in line["machines"]:
            for tag in machine["tags"].values():
                del tag["opcua"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_a_modbus_only_plant_loads_is_served_and_checks(tmp_path):
    plant_file = modbus_only_demo(tmp_path / "plant.yaml")
    assert load_plant(plant_file).plant.opcua_namespace is None
    with running_simulator(tmp_path / "sim", plant_file=plant_file) as settings:
        result = check(plant_file, settings_env(settings))
    assert result.exit_code == 0, result.output
    assert f"{len(load_plant(plant_file).all_tags())} tags checked against 1 PLC(s), 0 problem(s), 0 note(s)" \
        in result.output


def test_opcua_node_ids_need_the_namespace(tmp_path):
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text(encoding="utf-8"))
    del raw["plant"]["opcua_namespace"]
    path = tmp_path / "plant.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlantFileError, match=r"plant\.opcua_namespace is missing: the plant's tags have OPC UA node "
                                             r"ids \(opcua:\)"):
        load_plant(path)
