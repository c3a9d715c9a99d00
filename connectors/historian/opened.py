"""The historian the plant file names (``historian:``), open for a while: the MES's endpoint when it names none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from connectors.historian.section import HistorianKind, HistorianSection
from connectors.historian.source import HistorySource
from connectors.mes import MesClient
from connectors.plant import Plant
from connectors.settings import ConnectorSettings


@asynccontextmanager
async def open_history(settings: ConnectorSettings, plant: Plant, *,
                       mes: MesClient | None = None) -> AsyncIterator[HistorySource]:
    """The plant's historian until the context ends. ``mes``: an MES connector already open, used when the history
    is the MES's own (its URL the settings')."""
    section = plant.historian or HistorianSection(kind=HistorianKind.mes)
    if section.kind is HistorianKind.influxdb:
        from connectors.historian.influxdb import InfluxDatabase, InfluxHistory

        timeout = httpx.Timeout(settings.request_timeout_s, connect=settings.connect_timeout_s)
        async with httpx.AsyncClient(timeout=timeout) as http:
            db = InfluxDatabase(http, str(section.url).rstrip("/"), str(section.database))
            yield InfluxHistory(db, plant, section.measurement)
    elif section.kind is HistorianKind.opcua:
        from connectors.historian.opcua import OpcUaHistory

        history = OpcUaHistory(settings, plant, section.url or settings.opcua_url)
        try:
            yield history
        finally:
            await history.close()
    else:
        from connectors.historian.mes import MesHistory

        if mes is not None and section.url is None:
            yield MesHistory(mes)
            return
        async with MesClient(section.url or settings.mes_url, timeout=settings.request_timeout_s,
                             connect_timeout=settings.connect_timeout_s) as own:
            yield MesHistory(own)
