"""The simulated plant feeding an InfluxDB: every historian sample of every machine's numeric tags, as it runs.

Each pass writes the samples taken since the last (line protocol, ``connectors.historian.influxdb``'s schema),
stamped ``s`` seconds after the Unix epoch for simulated second ``s``, as the MES and the OPC UA server give them.
An InfluxDB that does not answer is retried on the next pass; samples older than the simulator's historian keeps
are then lost, as a real collector's buffer would lose them. A plant reset (the clock goes back) empties the
measurement first.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import httpx

from connectors.errors import ConnectorError
from connectors.historian.influxdb import InfluxDatabase, point
from simulator.physics import PlantSimulation

log = logging.getLogger(__name__)

BATCH = 5000  # points per write, as InfluxDB advises
WRITE_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class InfluxTarget:
    """Where the simulator writes its samples: an InfluxDB 1.x by its http:// URL, a database and a measurement."""

    url: str
    database: str = "plant"
    measurement: str = "samples"

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"an InfluxDB URL starts with http:// or https://, not {self.url!r}")


class InfluxFeed:
    """Writes the plant simulation's historian samples to an InfluxDB every ``every_s`` seconds until cancelled."""

    def __init__(self, sim: PlantSimulation, target: InfluxTarget, every_s: float) -> None:
        self.sim, self.target, self.every_s = sim, target, every_s
        self._written = -math.inf  # the time of the newest sample written

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=WRITE_TIMEOUT_S) as http:
            db = InfluxDatabase(http, self.target.url.rstrip("/"), self.target.database)
            created = False
            while True:
                try:
                    if not created:
                        await db.create()
                        created = True
                    await self._flush(db)
                except ConnectorError as exc:
                    log.warning("InfluxDB feed: %s (tried again in %g s)", exc, self.every_s)
                await asyncio.sleep(self.every_s)

    async def _flush(self, db: InfluxDatabase) -> None:
        """Write the samples taken since the last written (one snapshot of every tag's, so none is skipped)."""
        if self.sim.sim_time < self._written:  # the plant was reset
            await db.query(f'DELETE FROM "{self.target.measurement}"')
            self._written = -math.inf
        taken = self.sim.all_history_since(self._written)
        lines = [point(self.target.measurement, machine_id, tag, t, v)
                 for (machine_id, tag), samples in taken.items() for t, v in samples if t > self._written]
        for i in range(0, len(lines), BATCH):
            await db.write(lines[i:i + BATCH])
        self._written = max((s[-1][0] for s in taken.values() if s), default=self._written)
