"""The plant file's ``historian:`` section: which historian the copilot reads tag history from, and where it is.

Absent, the history comes from the MES (its ``/history`` endpoint, ``PLANT_MES_URL``) as it always has.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from connectors.catalogue import _Strict


class HistorianKind(StrEnum):
    """The kinds of historian the copilot reads."""

    mes = "mes"  # the MES's history endpoint
    opcua = "opcua"  # an OPC UA server's HistoryRead (Historical Access)
    influxdb = "influxdb"  # an InfluxDB 1.x over its HTTP API (InfluxQL)


_HTTP = ("http://", "https://")
_SCHEMES = {HistorianKind.mes: _HTTP, HistorianKind.opcua: ("opc.tcp://",), HistorianKind.influxdb: _HTTP}


class HistorianSection(_Strict):
    """Where a plant's tag history lives: a kind and its address (``url``; InfluxDB also its ``database``)."""

    kind: HistorianKind
    url: str | None = Field(default=None, min_length=1, description=(
        "mes: its base URL, else PLANT_MES_URL; opcua: the server's opc.tcp:// URL, else PLANT_OPCUA_ENDPOINT; "
        "influxdb: its http:// URL (required)"))
    database: str | None = Field(default=None, min_length=1, description="influxdb: the database (required)")
    measurement: str = Field(default="samples", min_length=1,
                             description="influxdb: the measurement whose points carry machine and tag as tags")

    @model_validator(mode="after")
    def _addressed(self) -> HistorianSection:
        if self.kind is HistorianKind.influxdb and (self.url is None or self.database is None):
            raise ValueError("an influxdb historian needs its url (http://HOST:8086) and its database")
        if self.kind is not HistorianKind.influxdb and self.database is not None:
            raise ValueError(f"a {self.kind} historian has no database; only influxdb takes one")
        schemes = _SCHEMES[self.kind]
        if self.url is not None and not self.url.startswith(schemes):
            raise ValueError(f"a {self.kind} historian's url starts with {' or '.join(schemes)}, not {self.url!r}")
        return self
