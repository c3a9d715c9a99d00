"""MQTT with Sparkplug B as a third PLC source, on a real broker (Debian's mosquitto) and the real simulator.

The simulator publishes its tags as a Sparkplug B edge node; a plant file puts every line on that edge node
(tags with only their metric name, no node id or register). The connector must read what the simulator's
OPC UA server reads, a permitted write must arrive as a DCMD that the simulator applies, a refused one must
publish nothing, and a dead edge node or device must make reads fail saying so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import httpx
import pytest
import yaml
from mosquitto import running_mosquitto

from connectors.errors import InvalidRequest, NotConfigured, NotFound, Rejected, Unreachable
from connectors.plant import Plant, PlantFileError, load_plant
from connectors.plc import Protocol, open_plc, plugin
from connectors.plc.sparkplug import MqttEndpoint
from connectors.plc.sparkplug.client import MqttPlc
from connectors.plc.sparkplug.payload import MessageType, Payload, Topic, datatype_named, value_of
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE
from simulator.process import running_simulator

DEATH_DEADLINE_S = 60.0  # a busy machine may take long to carry a death certificate; the test waits for it

DEMO = DEMO_SITE / "plant.yaml"
GROUP = "riverside"


def mqtt_plant(path: Path, port: int, edge_node: str) -> Plant:
    """The demo plant with every line on one Sparkplug B edge node; tags keep only their metric name."""
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw["plcs"] = {"uns": {"protocol": "mqtt", "host": "127.0.0.1", "port": port, "group": GROUP,
                           "edge_node": edge_node, "unlocked_broker": "allow"}}  # the tests' anonymous broker
    for line in raw["lines"]:
        line["plc"] = "uns"
        for machine in line["machines"]:
            for name, tag in machine["tags"].items():
                del tag["opcua"]
                tag["type"] = tag.pop("modbus")["type"]
                tag["mqtt"] = name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_plant(path)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with running_mosquitto(tmp_path_factory.mktemp("mosquitto")) as port:
        yield port


@pytest.fixture(scope="module")
def edge(broker: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    """A simulator of its own that also publishes to the broker, as edge node ``riverside/sim``."""
    with running_simulator(tmp_path_factory.mktemp("sim-mqtt"), mqtt=(f"127.0.0.1:{broker}", GROUP, "sim")) as sim:
        yield sim


@pytest.fixture
def plant(broker: int, tmp_path: Path) -> Plant:
    return mqtt_plant(tmp_path / "plant.yaml", broker, "sim")


class Watcher:
    """A client of our own on the broker that records every command sent to the edge node."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.commands: list[tuple[Topic, Payload]] = []

    async def until_marker(self, marker: str) -> None:
        """Publish a marker and collect the commands that came before it."""
        await self.client.publish(f"test/{marker}", b"")
        async for message in self.client.messages:
            if str(message.topic) == f"test/{marker}":
                return
            self.commands.append((Topic.parse(str(message.topic)), Payload.FromString(bytes(message.payload))))


async def watching(port: int) -> aiomqtt.Client:
    client = aiomqtt.Client("127.0.0.1", port)
    await client.__aenter__()
    await client.subscribe([(f"spBv1.0/{GROUP}/DCMD/sim/+", 0), ("test/#", 0)])
    return client


async def test_the_connector_reads_what_the_simulators_opc_ua_server_reads(edge, plant):
    reference = load_plant(DEMO)
    async with open_plc(edge, plant, Protocol.opcua) as plc, open_plc(edge, reference, "opcua") as opcua:
        assert plc.endpoint_of("P-101") == MqttEndpoint(host="127.0.0.1", port=plant.plcs["uns"].port, group=GROUP,
                                                        edge_node="sim", unlocked_broker="allow")
        for machine in plant.machines:
            over_mqtt, over_opcua = await plc.read_many(machine), await opcua.read_many(machine)
            assert {t: v.value for t, v in over_mqtt.items()} == {t: v.value for t, v in over_opcua.items()}, machine
            assert all(v.timestamp > 0 and v.quality == "good" for v in over_mqtt.values())


async def test_a_permitted_write_arrives_as_a_dcmd_and_the_simulator_applies_it(edge, plant, broker):
    watcher = Watcher(await watching(broker))
    reference = load_plant(DEMO)
    try:
        async with open_plc(edge, plant, "opcua") as plc, open_plc(edge, reference, "modbus") as modbus:
            before = (await modbus.read("HP-102", "pressure_setpoint")).value
            result = await plc.write("HP-102", "pressure_setpoint", before + 10)
            assert (result.old_value, result.new_value) == (before, before + 10)
            assert (await modbus.read("HP-102", "pressure_setpoint")).value == before + 10
            assert (await plc.read("HP-102", "pressure_setpoint")).value == before + 10
            stopped = await plc.write("CV-203", "run", False)  # a Boolean metric
            assert stopped.new_value is False and (await modbus.read("CV-203", "run")).value is False
            await plc.write("CV-203", "run", True)
        await watcher.until_marker("after-writes")
    finally:
        await watcher.client.__aexit__(None, None, None)
    devices = [(topic.type, topic.device) for topic, _ in watcher.commands]
    assert devices == [(MessageType.DCMD, "HP-102"), (MessageType.DCMD, "CV-203"), (MessageType.DCMD, "CV-203")]
    (sent,) = watcher.commands[0][1].metrics
    assert sent.HasField("alias") and not sent.name  # by the alias its birth gave
    assert value_of(sent, datatype_named(sent.datatype, "DCMD")) == before + 10


async def test_a_refused_write_publishes_nothing(edge, plant, broker):
    watcher = Watcher(await watching(broker))
    try:
        async with open_plc(edge, plant, "opcua") as plc:
            current = (await plc.read("HP-102", "pressure_setpoint")).value
            with pytest.raises(Rejected, match="not on the plant's write allow-list"):
                await plc.write("HP-102", "vibration", 1.0)
            with pytest.raises(Rejected, match="outside its limits 80..210"):
                await plc.write("HP-102", "pressure_setpoint", 230)
            with pytest.raises(Rejected, match="more than the maximum"):
                await plc.write("HP-102", "pressure_setpoint", 80 if current > 150 else 210)
            assert (await plc.read("HP-102", "pressure_setpoint")).value == current
        await watcher.until_marker("after-refusals")
    finally:
        await watcher.client.__aexit__(None, None, None)
    assert watcher.commands == []


async def test_a_tag_the_edge_node_never_published_is_named(edge, plant, tmp_path):
    raw = yaml.safe_load((tmp_path / "plant.yaml").read_text(encoding="utf-8"))
    raw["lines"][0]["machines"][0]["tags"]["vibration"]["mqtt"] = "Pump/vibration_rms"
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    async with open_plc(edge, load_plant(tmp_path / "other.yaml"), "opcua") as plc:
        with pytest.raises(NotFound, match="P-101 of edge node riverside/sim never published a metric "
                                           "'Pump/vibration_rms'"):
            await plc.read("P-101", "vibration")


async def until_unreachable(plc, machine: str, tag: str) -> Unreachable:
    """The read's error once the death has reached the connector (the broker delivers it to each client)."""
    deadline = asyncio.get_running_loop().time() + DEATH_DEADLINE_S
    while asyncio.get_running_loop().time() < deadline:
        try:
            await plc.read(machine, tag)
        except Unreachable as exc:
            return exc
        await asyncio.sleep(0.05)
    pytest.fail(f"{machine}.{tag} is still read after its edge node or device died")


async def test_a_dead_device_fails_its_reads_until_it_is_born_again(edge, plant):
    async with open_plc(edge, plant, "opcua") as plc:
        assert (await plc.read("P-101", "speed")).value > 0
        httpx.post(f"{edge.sim_url}/faults", json={"kind": "plc_offline", "machine_id": "P-101"}, timeout=10) \
            .raise_for_status()
        try:
            dead = await until_unreachable(plc, "P-101", "speed")
            assert "device P-101 of edge node riverside/sim is offline: it died (DDEATH)" in str(dead)
            assert (await plc.read("FL-202", "fill_setpoint")).value == 500  # the other devices still answer
        finally:
            httpx.delete(f"{edge.sim_url}/faults", timeout=10).raise_for_status()


async def test_a_dead_edge_node_fails_reads_with_its_ndeath(broker, tmp_path):
    plant = mqtt_plant(tmp_path / "plant.yaml", broker, "doomed")
    with running_simulator(tmp_path / "sim", mqtt=(f"127.0.0.1:{broker}", GROUP, "doomed")) as sim:
        plc = open_plc(sim, plant, "opcua")
        assert (await plc.read("OV-201", "temp_setpoint")).value == 180
    try:  # the simulator has stopped and said so (NDEATH)
        dead = await until_unreachable(plc, "OV-201", "temp_setpoint")
        assert "edge node riverside/doomed on mqtt://127.0.0.1" in str(dead)
        assert "is offline: it died (NDEATH)" in str(dead) and "stale" in str(dead)
    finally:
        await plc.close()


async def test_no_edge_node_on_the_broker_is_a_clear_error(broker, tmp_path):
    plant = mqtt_plant(tmp_path / "plant.yaml", broker, "nobody")
    settings = ConnectorSettings(connect_timeout_s=0.5)
    async with open_plc(settings, plant, "opcua") as plc:
        with pytest.raises(Unreachable, match="edge node riverside/nobody .* published no birth \\(NBIRTH\\)"):
            await plc.read("P-101", "speed")


async def test_an_unreachable_broker_is_a_clear_error(tmp_path):
    from simulator.process import free_ports

    dead = free_ports(1)[0]
    plant = mqtt_plant(tmp_path / "plant.yaml", dead, "sim")
    async with open_plc(ConnectorSettings(connect_timeout_s=2), plant, "opcua") as plc:
        with pytest.raises(Unreachable, match=f"MQTT broker at mqtt://127.0.0.1:{dead} spBv1.0/riverside/sim"):
            await plc.read("P-101", "speed")


@pytest.mark.parametrize(("mistake", "field", "why"), [
    (lambda plc: plc.pop("group"), "plcs.uns.mqtt.group", "Field required"),
    (lambda plc: plc.update(edge_node="line/1"), "plcs.uns.mqtt.edge_node", "cannot be a Sparkplug B topic level"),
    (lambda plc: plc.update(port=0), "plcs.uns.mqtt.port", "greater than or equal to 1"),
    (lambda plc: plc.update(url="mqtt://x"), "plcs.uns.mqtt.url", "Extra inputs are not permitted"),
])
def test_a_bad_mqtt_plc_is_refused_naming_the_field(tmp_path, mistake, field, why):
    path = tmp_path / "plant.yaml"
    mqtt_plant(path, 1883, "sim")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    mistake(raw["plcs"]["uns"])
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlantFileError, match=why) as refused:
        load_plant(path)
    assert f"{field}:" in str(refused.value)


def test_a_machine_on_the_mqtt_plc_needs_metric_names(tmp_path):
    path = tmp_path / "plant.yaml"
    mqtt_plant(path, 1883, "sim")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    del raw["lines"][1]["machines"][0]["tags"]["zone_temp"]["mqtt"]
    raw["lines"][1]["machines"][0]["tags"]["zone_temp"]["opcua"] = "ns=2;s=L2.OV-201.zone_temp"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(PlantFileError, match="OV-201 is on mqtt PLC 'uns', but its tags zone_temp have no mqtt"):
        load_plant(path)


async def test_the_registry_has_the_mqtt_connector_and_the_settings_plc_is_not_one(tmp_path):
    assert plugin(Protocol.mqtt).connector() is MqttPlc
    plant = load_plant(DEMO)
    async with open_plc(ConnectorSettings(), plant, "mqtt") as plc:
        with pytest.raises(NotConfigured, match="plant file's plcs: \\(protocol: mqtt"):
            await plc.read("P-101", "speed")
    endpoint = mqtt_plant(tmp_path / "plant.yaml", 1883, "sim").plcs["uns"]
    async with MqttPlc(ConnectorSettings(), plant, endpoint) as plc:  # the demo's tags have no metric names
        with pytest.raises(InvalidRequest, match="P-101.speed has no MQTT metric name"):
            await plc.read("P-101", "speed")


def three_plc_plant(path: Path, edge: ConnectorSettings, broker: int, *, modbus_port: int | None = None) -> Path:
    """L1 on the simulator's Modbus port, OV-201 on its OPC UA server, the rest of L2 on its edge node."""
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    raw["plcs"] = {"press-shop": {"protocol": "modbus", "host": edge.host, "port": modbus_port or edge.modbus_port},
                   "oven": {"protocol": "opcua", "url": edge.opcua_url},
                   "uns": {"protocol": "mqtt", "host": "127.0.0.1", "port": broker, "group": GROUP, "edge_node": "sim",
                           "unlocked_broker": "allow"}}
    l1, l2 = raw["lines"]
    l1["plc"], l2["plc"] = "press-shop", "uns"
    l2["machines"][0]["plc"] = "oven"
    for machine in l2["machines"][1:]:
        for name, tag in machine["tags"].items():
            tag["mqtt"] = name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _check(edge: ConnectorSettings, plant_file: Path):
    from typer.testing import CliRunner

    from simulator.process import settings_env
    from ui.cli import app

    return CliRunner().invoke(app, ["plant", "check", "--plant-file", str(plant_file)], env=settings_env(edge))


def test_plant_check_checks_every_plc_the_plant_file_names(edge, broker, tmp_path):
    result = _check(edge, three_plc_plant(tmp_path / "plant.yaml", edge, broker))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith(f"PLC press-shop (modbus {edge.host}:{edge.modbus_port} unit 1): 3 machine(s)")
               and line.endswith(": ok") for line in lines), result.output
    assert any(line.startswith(f"PLC oven (opcua {edge.opcua_url}): 1 machine(s)") for line in lines), result.output
    assert any(line.startswith(f"PLC uns (mqtt mqtt://127.0.0.1:{broker} spBv1.0/riverside/sim): 2 machine(s)")
               and line.endswith(": ok") for line in lines), result.output
    assert "against 3 PLC(s), 0 problem(s)" in result.output


def test_plant_check_names_each_plcs_problems_and_goes_on(edge, broker, tmp_path):
    from simulator.process import free_ports

    dead = free_ports(1)[0]
    path = three_plc_plant(tmp_path / "plant.yaml", edge, broker, modbus_port=dead)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["lines"][1]["machines"][1]["tags"]["fill_setpoint"]["mqtt"] = "Filler/fill_sp"  # FL-202: not in its birth
    raw["lines"][1]["machines"][2]["tags"]["run"]["type"] = "string"  # CV-203: a Boolean metric
    del raw["lines"][1]["machines"][2]["tags"]["run"]["modbus"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = _check(edge, path)
    assert result.exit_code == 1
    assert f"PLC press-shop (modbus {edge.host}:{dead} unit 1): 3 machine(s)" in result.output
    assert f"Modbus PLC at {edge.host}:{dead} is unreachable" in result.output
    assert "FL-202.fill_setpoint: metric 'Filler/fill_sp' is not in FL-202's DBIRTH" in result.output
    assert "CV-203.run: metric 'run' is a Boolean; the plant file's type string needs one of String, Text" \
        in result.output
    assert "PLC uns (mqtt" in result.output and "2 problem(s)" in result.output
    assert "problem(s)" in result.output.splitlines()[-1]
