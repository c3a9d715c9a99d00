"""The plant's historian behind one narrow interface (``HistorySource.samples``): the MES's history endpoint, an OPC UA
server's HistoryRead or InfluxDB, as the plant file's ``historian:`` section names it."""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "HistorySource": "connectors.historian.source",
    "HistorianKind": "connectors.historian.section",
    "HistorianSection": "connectors.historian.section",
    "InfluxDatabase": "connectors.historian.influxdb",
    "InfluxHistory": "connectors.historian.influxdb",
    "MesHistory": "connectors.historian.mes",
    "OpcUaHistory": "connectors.historian.opcua",
    "Samples": "connectors.historian.source",
    "open_history": "connectors.historian.opened",
    "point": "connectors.historian.influxdb",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (the plant file's section loads without the clients)."""
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_NAMES[name]), name)


def __dir__() -> list[str]:
    return __all__
