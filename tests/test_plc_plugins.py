"""A new PLC protocol is one new folder: a plugin package, found by the registry, used by every path.

The test writes a "loopback" protocol (tags kept in memory) as an installed package that names its plugin in the
entry point group ``plant_copilot.plc``; a plant file then puts the demo's machines on a loopback PLC, and the
plant file loads, ``plant check`` checks it and ``open_plc`` reads and writes its tags through the usual guard.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from connectors.errors import NotFound, Rejected
from connectors.plant import PlantFileError, load_plant
from connectors.plc import ENTRY_POINTS, Severity, check_plcs, open_plc, plugin, plugins
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE

ROOT = Path(__file__).resolve().parent.parent

LOOPBACK = '''
"""A loopback PLC: each endpoint is a bank of slots in memory, each tag's address a slot."""

from typing import Annotated, Literal

from pydantic import Field

from connectors.errors import NotFound
from connectors.plant import PlcEndpoint
from connectors.plc import Finding, PlcPlugin, ProtocolPlc, Severity

BANKS: dict[str, dict[str, object]] = {}


class LoopbackEndpoint(PlcEndpoint):
    protocol: Literal["loopback"] = "loopback"
    bank: str = Field(min_length=1)

    @property
    def where(self) -> str:
        return f"bank {self.bank}"


class LoopbackPlc(ProtocolPlc):
    async def _read(self, specs):
        bank = BANKS.setdefault(self.endpoint.bank, {})
        missing = [s.key for s in specs if s.address("loopback") not in bank]
        if missing:
            raise NotFound(f"{', '.join(missing)}: empty slot in bank {self.endpoint.bank}")
        return [bank[s.address("loopback")] for s in specs]

    async def _write(self, spec, value):
        BANKS.setdefault(self.endpoint.bank, {})[spec.address("loopback")] = value

    async def _reset(self):
        pass


class LoopbackPlugin(PlcPlugin):
    name = "loopback"
    endpoint = LoopbackEndpoint
    address = Annotated[str, Field(pattern=r"^[a-z_]+$")]
    address_words = "a loopback slot"

    def connector(self):
        return LoopbackPlc

    async def check(self, settings, plant, endpoint, machines):
        bank = BANKS.get(endpoint.bank, {})
        return [Finding(tag.key, Severity.problem, f"slot {tag.address('loopback')} is empty")
                for machine in machines for tag in plant.machine(machine).tags.values()
                if tag.address("loopback") not in bank]


PLUGIN = LoopbackPlugin()
'''


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The loopback plugin installed: its package, and a distribution naming it in the entry point group."""
    root = tmp_path / "site"
    (root / "loopback_plc").mkdir(parents=True)
    (root / "loopback_plc" / "__init__.py").write_text(textwrap.dedent(LOOPBACK), encoding="utf-8")
    dist = root / "loopback_plc-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: loopback-plc\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINTS}]\nloopback = loopback_plc:PLUGIN\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    plugins.cache_clear()
    yield root
    monkeypatch.undo()
    sys.modules.pop("loopback_plc", None)
    plugins.cache_clear()


def loopback_plant(path: Path, **tag_of_p101: object) -> Path:
    """The demo plant with every line on the loopback PLC ``bench``; each tag's slot is its name, given in the short
    form (``loopback: NAME``) on L1 and under ``addresses:`` on L2."""
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text(encoding="utf-8"))
    raw["plcs"] = {"bench": {"protocol": "loopback", "bank": path.stem}}
    for n, line in enumerate(raw["lines"]):
        line["plc"] = "bench"
        for machine in line["machines"]:
            for name, tag in machine["tags"].items():
                if n == 0:
                    tag["loopback"] = name
                else:
                    tag["addresses"] = {"loopback": name}
    raw["lines"][0]["machines"][0]["tags"]["speed"].update(tag_of_p101)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_the_built_in_protocols_are_the_folders_of_connectors_plc():
    folders = {p.name for p in (ROOT / "connectors" / "plc").iterdir() if (p / "__init__.py").is_file()}
    assert folders == {"opcua", "modbus", "sparkplug"}
    assert set(plugins()) == {"opcua", "modbus", "mqtt"}


async def test_a_plant_on_a_new_protocol_loads_checks_reads_and_writes(site, tmp_path):
    from loopback_plc import BANKS

    assert "loopback" in plugins()
    plant = load_plant(loopback_plant(tmp_path / "bench.yaml"))
    speed = plant.tag("P-101", "speed")
    assert speed.address("loopback") == "speed" and speed.loopback == "speed"
    assert plant.tag("OV-201", "run").address("loopback") == "run"  # the addresses: form

    settings = ConnectorSettings()
    [report] = await check_plcs(settings, plant, "modbus")
    assert (report.name, report.endpoint.where, report.tags) == ("bench", "bank bench", len(plant.all_tags()))
    assert report.problems == len(plant.all_tags()) and report.findings[0].severity is Severity.problem

    BANKS["bench"] = {tag.name: 0 for tag in plant.all_tags()} | {"speed": 1480.0, "speed_setpoint": 1500}
    [report] = await check_plcs(settings, plant, "modbus")
    assert report.findings == [] and str(report).endswith(": ok")

    async with open_plc(settings, plant, "modbus") as plc:
        assert (await plc.read("P-101", "speed")).value == 1480.0
        written = await plc.write("P-101", "speed_setpoint", 1700)  # the guard of every PLC: limits, max step
        assert (written.old_value, written.new_value) == (1500, 1700.0)
        with pytest.raises(Rejected, match="more than the maximum"):
            await plc.write("P-101", "speed_setpoint", 2500)
        with pytest.raises(Rejected, match="not on the plant's write allow-list"):
            await plc.write("P-101", "speed", 1000)
        del BANKS["bench"]["flow"]
        with pytest.raises(NotFound, match="P-101.flow: empty slot in bank bench"):
            await plc.read("P-101", "flow")


def test_the_plugin_validates_its_endpoints_and_addresses(site, tmp_path):
    with pytest.raises(PlantFileError, match=r"tags\.speed\.addresses\.loopback: String should match pattern"):
        load_plant(loopback_plant(tmp_path / "bench.yaml", loopback="Not a slot"))
    path = loopback_plant(tmp_path / "bench.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["plcs"]["bench"]["bank"] = ""
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlantFileError, match=r"plcs\.bench\.loopback\.bank: String should have at least 1"):
        load_plant(path)
    assert plugin("loopback").validate_address("speed") == "speed"


def test_without_the_plugin_the_protocol_is_unknown(tmp_path):
    with pytest.raises(PlantFileError, match="plcs.bench: protocol must be one of: modbus, opcua, mqtt"):
        load_plant(loopback_plant(tmp_path / "bench.yaml"))


def test_a_new_protocol_is_a_choice_of_the_commands(site, tmp_path):
    """In a process started with the plugin installed, the Protocol enum (``--protocol``) has it too, and
    ``plant-copilot plant check`` checks its PLC."""
    probe = ("from connectors.plc import Protocol; import loopback_plc; "
             "loopback_plc.BANKS['bench'] = {'speed': 1}; "
             "from typer.testing import CliRunner; from ui.cli import app; "
             f"result = CliRunner().invoke(app, ['plant', 'check', '--protocol', Protocol.loopback, "
             f"'--plant-file', {str(loopback_plant(tmp_path / 'bench.yaml'))!r}]); "
             "print(result.exit_code); print(result.output)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    code, *output = done.stdout.splitlines()
    assert code == "1", done.stdout
    assert any(line.startswith("PLC bench (loopback bank bench): 6 machine(s)") for line in output), done.stdout
    assert "P-101.flow: slot flow is empty" in done.stdout and "P-101.speed:" not in done.stdout
