"""A broker must be locked: the copilot reads and writes over TLS as a user with a password; on a broker without
them it does not connect unless the plant file says so, and writes nothing unless the plant file allows it.

A real mosquitto with a password file and a TLS listener (a CA made for the test); the real simulator publishes
to it as its own user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiomqtt
import pytest
import yaml
from mosquitto import LockedBroker, running_locked_mosquitto
from pydantic import SecretStr

from connectors.errors import Rejected
from connectors.plant import Plant, load_plant
from connectors.plc import open_plc
from connectors.settings import ConnectorSettings
from connectors.site import DEMO_SITE
from simulator.process import running_simulator

GROUP = "riverside"
USERS = {"edge": "edge-secret-1", "copilot": "copilot-secret-2"}

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LockedBroker]:
    with running_locked_mosquitto(tmp_path_factory.mktemp("locked-mosquitto"), USERS) as locked:
        yield locked


@pytest.fixture(scope="module")
def edge(broker: LockedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectorSettings]:
    with running_simulator(tmp_path_factory.mktemp("sim-locked"), mqtt=(f"127.0.0.1:{broker.plain_port}", GROUP, "sim"),
                           mqtt_login=("edge", USERS["edge"])) as sim:
        yield sim


def on_broker(path: Path, port: int, **endpoint) -> Plant:
    """The demo plant with line L2 on the broker's edge node ``sim`` (its tags by their names as metrics)."""
    raw = yaml.safe_load((DEMO_SITE / "plant.yaml").read_text(encoding="utf-8"))
    raw["plcs"] = {"uns": {"protocol": "mqtt", "host": "127.0.0.1", "port": port, "group": GROUP,
                           "edge_node": "sim", **endpoint}}
    line = raw["lines"][1]
    line["plc"] = "uns"
    for machine in line["machines"]:
        for name, tag in machine["tags"].items():
            tag["mqtt"] = name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_plant(path)


def as_copilot(sim: ConnectorSettings, broker: LockedBroker, **changes) -> ConnectorSettings:
    return sim.model_copy(update={"mqtt_username": "copilot", "mqtt_password": SecretStr(USERS["copilot"]),
                                  "mqtt_ca_file": broker.ca_file, **changes})


async def test_over_tls_as_its_user_the_copilot_reads_and_writes(edge, broker, tmp_path):
    plant = on_broker(tmp_path / "plant.yaml", broker.tls_port, tls=True)
    settings = as_copilot(edge, broker)
    async with open_plc(settings, plant, "opcua") as plc:
        before = (await plc.read("OV-201", "temp_setpoint")).value
        written = await plc.write("OV-201", "temp_setpoint", before + 2)
        assert written.new_value == before + 2
        assert (await plc.read("OV-201", "temp_setpoint")).value == before + 2
        await plc.write("OV-201", "temp_setpoint", before)


async def test_a_wrong_password_is_refused_by_the_broker_in_one_line(edge, broker, tmp_path):
    plant = on_broker(tmp_path / "plant.yaml", broker.tls_port, tls=True)
    async with open_plc(as_copilot(edge, broker, mqtt_password=SecretStr("guess")), plant, "opcua") as plc:
        with pytest.raises(Rejected, match="refused the connection") as refused:
            await plc.read("OV-201", "zone_temp")
    assert "guess" not in str(refused.value) and "\n" not in str(refused.value)


async def test_anyone_without_a_password_is_kept_off_the_broker(broker):
    with pytest.raises(aiomqtt.MqttCodeError):
        async with aiomqtt.Client("127.0.0.1", broker.plain_port, timeout=10) as client:
            await client.publish(f"spBv1.0/{GROUP}/DCMD/sim/OV-201", b"spoofed")


async def test_a_broker_without_tls_is_not_even_connected_to_by_default(edge, broker, tmp_path):
    plant = on_broker(tmp_path / "plant.yaml", broker.plain_port)
    async with open_plc(as_copilot(edge, broker), plant, "opcua") as plc:
        with pytest.raises(Rejected, match=r"not locked \(it lacks TLS\).*unlocked_broker: read_only"):
            await plc.read("OV-201", "zone_temp")
    anonymous = edge.model_copy(update={"mqtt_username": None, "mqtt_password": None})
    async with open_plc(anonymous, on_broker(tmp_path / "tls.yaml", broker.tls_port, tls=True), "opcua") as plc:
        with pytest.raises(Rejected, match=r"not locked \(it lacks a user with a password\)"):
            await plc.read("OV-201", "zone_temp")


async def test_a_read_only_unlocked_broker_is_read_and_never_written(edge, broker, tmp_path):
    plant = on_broker(tmp_path / "plant.yaml", broker.plain_port, unlocked_broker="read_only")
    async with open_plc(as_copilot(edge, broker), plant, "opcua") as plc, \
            open_plc(edge, load_plant(DEMO_SITE / "plant.yaml"), "opcua") as reference:
        before = (await reference.read("OV-201", "temp_setpoint")).value
        assert (await plc.read("OV-201", "temp_setpoint")).value == before
        with pytest.raises(Rejected, match="writing OV-201.temp_setpoint over MQTT broker .* refused: it is not"):
            await plc.write("OV-201", "temp_setpoint", before + 2)
        assert (await reference.read("OV-201", "temp_setpoint")).value == before
