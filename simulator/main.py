"""The simulated plant's own process: ``python -m simulator`` and ``plant-copilot sim run`` serve it.

Addresses come from the environment (``PLANT_*``, see ``connectors.settings``), read once by the entry point
and taken from the command's context.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from connectors.plc.opcua.pki import fingerprint
from connectors.settings import ConnectorSettings
from simulator.settings import SimulatorSettings

if TYPE_CHECKING:
    from simulator.influx_feed import InfluxTarget
    from simulator.sparkplug_edge import Publishing


@dataclass(frozen=True)
class Standalone:
    """The configuration ``python -m simulator`` reads: where to serve the plant (``plant-copilot sim`` has the
    whole configuration in its context, which has the same ``connectors``)."""

    connectors: ConnectorSettings


def connectors_of(ctx: typer.Context) -> ConnectorSettings:
    """Where the plant's systems are: the part of the configuration the entry point put in the context."""
    return ctx.obj.connectors


def run(
    ctx: typer.Context,
    seed: Annotated[int | None, typer.Option(
        help="seed of the measurement noise (env PLANT_SIM_SEED, default 0)")] = None,
    time_scale: Annotated[float | None, typer.Option(
        min=0.0, help="simulated seconds per wall second; 0 freezes the clock, only `sim advance` moves it "
                      "(env PLANT_SIM_TIME_SCALE, default 1)")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        help="where the ERP and MES keep their SQLite files (env PLANT_SIM_DATA_DIR, default var/sim)")] = None,
    history_hours: Annotated[float | None, typer.Option(
        min=0.1, max=7 * 24,
        help="how far back the historian keeps samples (env PLANT_SIM_HISTORY_HOURS, default 2)")] = None,
    mqtt_broker: Annotated[str | None, typer.Option(
        help="also publish the tags as Sparkplug B to this MQTT broker, HOST:PORT (env PLANT_SIM_MQTT_BROKER; "
             "group PLANT_SIM_MQTT_GROUP, default plant; edge node PLANT_SIM_MQTT_EDGE_NODE, default simulator)"
    )] = None,
    influxdb_url: Annotated[str | None, typer.Option(
        help="also write every historian sample to this InfluxDB 1.x, http://HOST:PORT (env PLANT_SIM_INFLUXDB_URL; "
             "database PLANT_SIM_INFLUXDB_DATABASE, default plant)")] = None,
) -> None:
    """Run the simulated plant: Modbus TCP, OPC UA, ERP, MES, the control API and the cameras on loopback."""
    from simulator.runner import SimulatorError, listeners, run_until_signal

    given = {k: v for k, v in (("seed", seed), ("time_scale", time_scale), ("data_dir", data_dir),
                               ("history_hours", history_hours), ("mqtt_broker", mqtt_broker),
                               ("influxdb_url", influxdb_url)) if v is not None}
    options = SimulatorSettings(**given)
    settings = connectors_of(ctx)
    mqtt, influxdb = _outputs(options)

    def announce() -> None:
        plant = settings.load_plant()
        typer.secho(f"Simulated plant {plant.plant.name} ({len(plant.machines)} machines) is running"
                    f" — seed {options.seed}, time scale {options.time_scale:g}, data in {options.data_dir}",
                    fg="green")
        for listener in listeners(settings):
            typer.echo(f"  {listener.name:<11} {listener.address:<36} ({listener.env})")
        secrets = "PLANT_SIM_OPCUA_PASSWORD" if options.opcua_password else options.data_dir / "opcua" / "password"
        certificate = (options.data_dir / "opcua" / "own" / "cert.der").read_bytes()
        typer.echo(f"  OPC UA also offers Basic256Sha256 Sign and SignAndEncrypt; user {options.opcua_username}, "
                   f"password in {secrets}; server certificate SHA-256 {fingerprint(certificate)}")
        if mqtt is not None:
            typer.echo(f"  Sparkplug B spBv1.0/{mqtt.group}/{mqtt.edge_node} on MQTT broker "
                       f"{mqtt.broker.host}:{mqtt.broker.port}, a device per machine")
        if influxdb is not None:
            typer.echo(f"  InfluxDB   {influxdb.url}, database {influxdb.database}: every historian sample")
        typer.echo("Look at it:   plant-copilot sim status")
        typer.echo("Read a PLC:   plant-copilot sim read P-101 vibration --protocol modbus")
        typer.echo("Break it:     plant-copilot sim fault inject bearing_wear --machine P-101 --severity 0.8")
        typer.echo("Stop with Ctrl+C.")

    try:
        password = options.opcua_password.get_secret_value() if options.opcua_password else None
        run_until_signal(settings, seed=options.seed, time_scale=options.time_scale, data_dir=options.data_dir,
                         history_s=options.history_hours * 3600.0, on_ready=announce,
                         opcua_username=options.opcua_username, opcua_password=password, mqtt=mqtt,
                         influxdb=influxdb)
    except SimulatorError as exc:
        _fail(str(exc))


def _outputs(options: SimulatorSettings) -> tuple[Publishing | None, InfluxTarget | None]:
    """Where the simulator also sends its tags: the MQTT broker and the InfluxDB of the options, if any."""
    from simulator.influx_feed import InfluxTarget
    from simulator.sparkplug_edge import Broker, Publishing

    try:
        mqtt = None if options.mqtt_broker is None else Publishing(
            Broker.parse(options.mqtt_broker), options.mqtt_group, options.mqtt_edge_node, options.mqtt_username,
            options.mqtt_password.get_secret_value() if options.mqtt_password else None)
    except ValueError as exc:
        _fail(f"--mqtt-broker: {exc}")
    try:
        return mqtt, None if options.influxdb_url is None else InfluxTarget(options.influxdb_url,
                                                                            options.influxdb_database)
    except ValueError as exc:
        _fail(f"--influxdb-url: {exc}")


run_app = typer.Typer(add_completion=False)
run_app.command()(run)


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)
