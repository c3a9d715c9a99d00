"""Where the plant's systems are and how long to wait for them, from the environment.

Every field can be set as ``PLANT_<FIELD>`` (e.g. ``PLANT_MODBUS_PORT=5020``).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from connectors.plant import Plant, load_plant
from connectors.site import site_dir_field

Port = Annotated[int, Field(ge=1, le=65535)]


class OpcUaSecurity(StrEnum):
    """How an OPC UA session is protected: the policy is Basic256Sha256 whenever it is not ``none``."""

    none = "none"
    sign = "sign"
    sign_and_encrypt = "sign_and_encrypt"


class ConnectorSettings(BaseSettings):
    """Where the plant file, PLCs, ERP, MES, PLM and cameras are, how to reach them securely, and the timeouts
    (``PLANT_*``)."""

    model_config = SettingsConfigDict(env_prefix="PLANT_", extra="ignore", allow_inf_nan=False)

    site_dir: Path = site_dir_field()
    plant_file: Path = Field(default_factory=lambda data: data["site_dir"] / "plant.yaml")
    plm_file: Path = Field(default_factory=lambda data: data["plant_file"].parent / "plm.yaml",
                           description="the PLM's products, BOMs, routings and recipes, beside the plant file "
                                       "(the simulator serves it)")
    host: str = "127.0.0.1"
    modbus_port: Port = 5020
    opcua_port: Port = 4840
    opcua_endpoint: str | None = Field(
        default=None, description="the OPC UA server's full URL; default opc.tcp://HOST:OPCUA_PORT/plant/")
    opcua_security: OpcUaSecurity = OpcUaSecurity.none
    opcua_username: str | None = Field(default=None, description="the OPC UA user; anonymous when unset")
    opcua_password: SecretStr | None = None
    opcua_pki_dir: Path = Field(
        default=Path.home() / ".config" / "plant-copilot" / "opcua",
        description="the application certificate and key (own/) and the trusted server certificates (trusted/)")
    mqtt_username: str | None = Field(default=None, description="the MQTT brokers' user; anonymous when unset")
    mqtt_password: SecretStr | None = None
    mqtt_ca_file: Path | None = Field(
        default=None, description="the CA certificate of brokers reached over TLS; the system's CAs when unset")
    erp_port: Port = 8081
    mes_port: Port = 8082
    erp_url: str = Field(default="", description="the ERP's base URL; default http://HOST:ERP_PORT")
    mes_url: str = Field(default="", description="the MES's base URL; default http://HOST:MES_PORT")
    sim_port: Port = 8083
    camera_port: Port = 8084
    camera_url: str = Field(default="", description="the in-line cameras' base URL; default http://HOST:CAMERA_PORT")
    plm_port: Port = 8085
    plm_url: str = Field(default="", description="the PLM's base URL; default http://HOST:PLM_PORT")
    connect_timeout_s: float = Field(3.0, gt=0, le=600)
    request_timeout_s: float = Field(5.0, gt=0, le=600)

    @property
    def opcua_url(self) -> str:
        return self.opcua_endpoint or f"opc.tcp://{self.host}:{self.opcua_port}/plant/"

    @model_validator(mode="after")
    def _system_urls(self) -> ConnectorSettings:
        """The ERP, MES and PLM may live anywhere (their own hosts, HTTPS, a path); unset, beside the PLC's host."""
        self.erp_url = (self.erp_url or f"http://{self.host}:{self.erp_port}").rstrip("/")
        self.mes_url = (self.mes_url or f"http://{self.host}:{self.mes_port}").rstrip("/")
        self.camera_url = (self.camera_url or f"http://{self.host}:{self.camera_port}").rstrip("/")
        self.plm_url = (self.plm_url or f"http://{self.host}:{self.plm_port}").rstrip("/")
        return self

    @property
    def sim_url(self) -> str:
        return f"http://{self.host}:{self.sim_port}"

    def load_plant(self) -> Plant:
        return load_plant(self.plant_file)
