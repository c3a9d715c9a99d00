"""The simulated plant feeding an InfluxDB: every historian sample of every machine's numeric tags, as it runs.

Each pass writes the samples taken since the last, oldest first (line protocol, ``connectors.historian.influxdb``'s
schema), the newest instant in a write of its own, so a reader that sees it sees every sample up to it. A sample of
simulated second ``s`` is stamped ``s`` seconds after the Unix epoch, as the MES and the OPC UA server give it. An
InfluxDB that does not answer is retried on the next pass; samples older than the simulator's historian keeps are
then lost, as a real collector's buffer would lose them. A plant reset (the clock goes back) empties the
measurement first.
"""

from __future__ import annotations

import asyncio
import bisect
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
        due = sorted((t, machine_id, tag, v) for (machine_id, tag), samples
                     in self.sim.all_history_since(self._written).items() for t, v in samples if t > self._written)
        if not due:
            return
        lines = [point(self.target.measurement, machine_id, tag, t, v) for t, machine_id, tag, v in due]
        newest = bisect.bisect_left([t for t, *_ in due], due[-1][0])  # where the newest instant's samples start
        for i in range(0, newest, BATCH):
            await db.write(lines[i:min(i + BATCH, newest)])
        await db.write(lines[newest:])  # the newest instant in one write: every tag's sample of it at once
        self._written = due[-1][0]
