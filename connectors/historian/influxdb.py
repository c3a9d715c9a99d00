"""InfluxDB 1.x as a historian, over its HTTP API: ``/write`` (line protocol) and ``/query`` (InfluxQL).

The schema, written by the simulator and read by the copilot: one measurement (``samples`` unless the plant file
names another), a point per sample with the tags ``machine`` and ``tag``, the field ``value`` (a float) and the
sample's time. A window ends at the measurement's newest point: the historian's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from connectors.errors import Rejected, TimedOut, Unreachable
from connectors.historian.source import Samples, numeric_tag
from connectors.plant import Plant

NS = 1_000_000_000


def _literal(text: str) -> str:
    """An InfluxQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _identifier(name: str) -> str:
    """An InfluxQL quoted identifier."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(text: str) -> str:
    """A measurement or tag value in line protocol (commas, spaces and equals signs escaped)."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ").replace("=", "\\=")


def point(measurement: str, machine_id: str, tag: str, seconds: float, value: float) -> str:
    """One sample as a line of line protocol, its time in nanoseconds."""
    return (f"{_key(measurement)},machine={_key(machine_id)},tag={_key(tag)} value={float(value)!r} "
            f"{round(seconds * NS)}")


@dataclass(frozen=True)
class InfluxDatabase:
    """One database of one InfluxDB server, spoken to over an open ``httpx.AsyncClient``."""

    http: httpx.AsyncClient
    url: str
    database: str

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, f"{self.url}{path}", **kwargs)
        except httpx.TimeoutException:
            raise TimedOut(f"InfluxDB at {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise Unreachable(f"InfluxDB at {self.url} is unreachable ({exc or 'connection refused'})") from None
        if response.status_code >= 400:
            raise Rejected(f"InfluxDB at {self.url} refused {path}: {_error(response)}")
        return response

    async def query(self, q: str) -> list[list[Any]]:
        """The rows ``[time in ns, value, ...]`` of one InfluxQL statement's result (its one series)."""
        response = await self._call("POST", "/query", params={"db": self.database, "epoch": "ns"}, data={"q": q})
        result = (response.json().get("results") or [{}])[0]
        if "error" in result:
            raise Rejected(f"InfluxDB at {self.url}, database {self.database}: {result['error']}")
        series = result.get("series") or [{}]
        return series[0].get("values") or []

    async def create(self) -> None:
        """Create the database (a database that exists is left as it is)."""
        await self._call("POST", "/query", data={"q": f"CREATE DATABASE {_identifier(self.database)}"})

    async def write(self, lines: list[str]) -> None:
        """Write points given as line protocol with times in nanoseconds."""
        await self._call("POST", "/write", params={"db": self.database, "precision": "ns"},
                         content="\n".join(lines).encode())


def _error(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error") or response.status_code)
    except ValueError:
        return f"HTTP {response.status_code}"


class InfluxHistory:
    """``HistorySource`` from a measurement of an InfluxDB database."""

    def __init__(self, db: InfluxDatabase, plant: Plant, measurement: str) -> None:
        self.db, self.plant, self.measurement = db, plant, measurement

    @property
    def where(self) -> str:
        return f"InfluxDB at {self.db.url}, database {self.db.database}"

    async def newest(self) -> int | None:
        """The time of the measurement's newest point in ns (the historian's clock); None when it has none."""
        rows = await self.db.query(f'SELECT last("value") FROM {_identifier(self.measurement)}')
        return int(rows[0][0]) if rows else None

    async def samples(self, machine_id: str, tag: str, window_minutes: float) -> Samples:
        spec = numeric_tag(self.plant, machine_id, tag, window_minutes)
        end = await self.newest()
        if end is None:
            return []
        start = end - round(window_minutes * 60 * NS)
        rows = await self.db.query(
            f'SELECT "value" FROM {_identifier(self.measurement)} WHERE "machine" = {_literal(spec.machine_id)} '
            f'AND "tag" = {_literal(spec.name)} AND time >= {start} AND time <= {end}')
        return [(int(t) / NS, float(v)) for t, v in rows if v is not None]
