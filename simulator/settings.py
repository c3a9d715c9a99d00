"""How the simulator process runs, from the environment (``PLANT_SIM_SEED``, ``PLANT_SIM_TIME_SCALE``, ...)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SimulatorSettings(BaseSettings):
    """The simulator's seed, clock, data folder, historian depth, OPC UA user, MQTT edge node and InfluxDB
    (``PLANT_SIM_*``)."""

    model_config = SettingsConfigDict(env_prefix="PLANT_SIM_", extra="ignore")

    seed: int = Field(default=0, description="seed of the measurement noise")
    time_scale: float = Field(default=1.0, ge=0, description="simulated seconds per wall second; 0 freezes the clock")
    data_dir: Path = Field(default=Path("var/sim"), description="where the ERP and MES keep their SQLite files")
    history_hours: float = Field(default=2.0, gt=0, le=7 * 24,
                                 description="how far back the historian keeps samples (a twin is fitted from a day)")
    opcua_username: str = Field(default="operator", description="the OPC UA server's named user")
    mqtt_broker: str | None = Field(default=None, description="HOST:PORT of an MQTT broker to publish the tags to "
                                                              "as Sparkplug B; off when unset")
    mqtt_group: str = Field(default="plant", description="the Sparkplug B group id it publishes under")
    mqtt_edge_node: str = Field(default="simulator", description="its Sparkplug B edge node id")
    mqtt_username: str | None = Field(default=None, description="its user on the broker; anonymous when unset")
    mqtt_password: SecretStr | None = None
    influxdb_url: str | None = Field(default=None, description="http://HOST:PORT of an InfluxDB 1.x to write every "
                                                                 "historian sample to; off when unset")
    influxdb_database: str = Field(default="plant", min_length=1, description="the InfluxDB database it writes to")
    opcua_password: SecretStr | None = Field(
        default=None, description="that user's password; when unset, one is made once into DATA_DIR/opcua/password")
