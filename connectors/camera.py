"""The in-line camera connector: a smart camera's stations, shots and images over HTTP.

    async with CameraClient.from_settings(settings) as camera:    # PLANT_CAMERA_URL / PLANT_CAMERA_PORT
        new = await camera.shots("CAM-L1", after=last_seq)        # metadata, oldest first
        png = await camera.image("CAM-L1", new[0].id)             # the picture, PNG bytes

Errors are the typed connector errors, mapped as in ``connectors.http_api``; an answer that is not a PNG
picture is ``Rejected``.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

import httpx
from pydantic import ValidationError

from connectors.errors import Rejected
from connectors.http_api import READ_RETRY_PAUSE_S, JsonApiClient, segment
from connectors.shots import Shot, StationInfo

__all__ = ["CameraClient"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SHOT_HEADERS = {"id": "X-Inspection-Id", "seq": "X-Seq", "station": "X-Station", "machine_id": "X-Machine-Id",
                 "line_id": "X-Line-Id", "material_lot": "X-Material-Lot", "sim_time": "X-Sim-Time",
                 "label": "X-Label"}


class CameraClient(JsonApiClient):
    """The plant's in-line cameras. Every call is a read, retried once if the connection fails."""

    system: ClassVar[str] = "camera service"
    url_setting: ClassVar[str] = "camera_url"

    async def stations(self) -> list[StationInfo]:
        return await self._get("/cameras", list[StationInfo])

    async def shots(self, station: str, *, after: int = 0, limit: int = 100) -> list[Shot]:
        """The station's shots numbered after ``after`` that it still keeps, oldest first."""
        return await self._get(f"/cameras/{segment(station, 'camera station')}/shots", list[Shot],
                               {"after": after, "limit": limit})

    async def image(self, station: str, shot_id: str) -> bytes:
        """One shot's picture, as the PNG the camera sent."""
        path = f"/cameras/{segment(station, 'camera station')}/shots/{segment(shot_id, 'shot id')}"
        return _png(await self._fetch(path))

    async def latest(self, station: str) -> tuple[Shot, bytes]:
        """The station's newest shot and its PNG (``NotFound`` before its first)."""
        response = await self._fetch(f"/cameras/{segment(station, 'camera station')}/latest")
        fields = {name: response.headers.get(header, "") for name, header in _SHOT_HEADERS.items()}
        try:
            shot = Shot.model_validate(fields)
        except ValidationError as exc:
            raise Rejected(f"{self.system} sent a picture without a valid description in its headers: "
                           f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from exc
        return shot, _png(response)

    async def _fetch(self, path: str) -> httpx.Response:
        try:
            return await self._send("GET", path)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            await asyncio.sleep(READ_RETRY_PAUSE_S)  # nothing was sent; one more try is harmless
            return await self._send("GET", path, last_try=True)


def _png(response: httpx.Response) -> bytes:
    """The body of a picture answer; ``Rejected`` if it is not a PNG."""
    if not response.content.startswith(_PNG_SIGNATURE):
        kind = response.headers.get("content-type", "no content type")
        raise Rejected(f"camera service answered {response.request.url.path} with {kind}, not a PNG picture")
    return response.content
