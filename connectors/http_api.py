"""The part the ERP and MES connectors share: JSON over HTTP with errors an operator can act on.

How answers and failures map to the typed connector errors:

=====================================  ==============  =========================================
what happened                          error           retried?
=====================================  ==============  =========================================
connection refused / reset             ``Unreachable`` a read once; a write never
no connection within connect_timeout   ``TimedOut``    a read once; a write never
no answer within timeout               ``TimedOut``    never
404                                    ``NotFound``    never
other 4xx (400, 409, 422, ...)         ``Rejected``    never (the request itself is wrong)
5xx (the service is failing)           ``Rejected``    never; the message says to try later
answer that is not the expected JSON   ``Rejected``    never
=====================================  ==============  =========================================

Every error message carries the server's ``detail``. A write is never repeated by the
connector: the caller's idempotency key makes an explicit retry safe instead.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from connectors.errors import ConnectorError, InvalidRequest, NotFound, Rejected, TimedOut, Unreachable
from connectors.settings import ConnectorSettings

API_PREFIX = "/api/v1"
READ_RETRY_PAUSE_S = 0.2

T = TypeVar("T")


@cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


def segment(value: str, what: str) -> str:
    """One path segment from an id, escaped; an empty id is the caller's mistake."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{what} must be a non-empty string, not {value!r}")
    return quote(value.strip(), safe="")


class JsonApiClient:
    """An async client of one plant system's JSON API (``/api/v1``); use it as an async context manager."""

    system: ClassVar[str]  # the name operators know it by: "ERP", "MES"
    url_setting: ClassVar[str]  # the ConnectorSettings property with its base URL

    def __init__(self, base_url: str, *, timeout: float = 5.0, connect_timeout: float = 3.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"Accept": "application/json"},
        )

    @classmethod
    def from_settings(cls, settings: ConnectorSettings) -> Self:
        return cls(getattr(settings, cls.url_setting), timeout=settings.request_timeout_s,
                   connect_timeout=settings.connect_timeout_s)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------------------------ requests

    async def _get(self, path: str, answer: type[T] | Any, params: dict[str, Any] | None = None) -> T:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self._send("GET", path, params=query)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            await asyncio.sleep(READ_RETRY_PAUSE_S)  # nothing was sent; one more try is harmless
            response = await self._send("GET", path, params=query, last_try=True)
        return self._parse(response, answer)

    async def _write(self, method: str, path: str, body: BaseModel, idempotency_key: str, answer: type[T]) -> T:
        if not isinstance(idempotency_key, str) or not idempotency_key.strip():
            raise InvalidRequest(f"a {self.system} write needs a non-empty idempotency key")
        response = await self._send(
            method, path, json=body.model_dump(mode="json"),
            headers={"Idempotency-Key": idempotency_key.strip()}, last_try=True,
        )
        return self._parse(response, answer)

    async def _send(self, method: str, path: str, *, last_try: bool = False, **kwargs: Any) -> httpx.Response:
        what = f"{method} {API_PREFIX}{path}"
        try:
            response = await self._http.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if not last_try:
                raise
            if isinstance(exc, httpx.ConnectTimeout):
                raise TimedOut(f"{self.system} at {self.base_url} did not accept a connection within "
                               f"{self.connect_timeout:g} s") from exc
            raise Unreachable(f"{self.system} at {self.base_url} is unreachable ({exc or 'connection refused'}); "
                              "check that the service is running") from exc
        except httpx.TimeoutException as exc:
            raise _unsure(TimedOut(f"{self.system} did not answer {what} within {self.timeout:g} s"), method) from exc
        except httpx.TransportError as exc:
            raise _unsure(Unreachable(f"{self.system} connection failed during {what}: {exc!r}"), method) from exc
        if response.is_success:
            return response
        detail = _detail(response)
        if response.status_code == 404:
            raise NotFound(detail)
        if response.is_server_error:
            raise _unsure(Rejected(f"{self.system} answered {response.status_code} to {what}: {detail}. The "
                                   f"{self.system} is failing; try again later"), method)
        raise Rejected(f"{self.system} refused {what} ({response.status_code}): {detail}")

    def _parse(self, response: httpx.Response, answer: type[T] | Any) -> T:
        try:
            return _adapter(answer).validate_json(response.content)
        except ValidationError as exc:
            raise Rejected(f"{self.system} answered {response.request.method} {response.request.url.path} with "
                           f"something that is not the expected record: {exc.error_count()} problems, first: "
                           f"{exc.errors()[0]['msg']}") from exc


def _unsure(error: ConnectorError, method: str) -> ConnectorError:
    """A failure of a change that was sent: it may have been made, so it is marked unconfirmed."""
    if method != "GET":
        error.args = (f"{error} (the change may or may not have been made; retrying with the same idempotency "
                      "key is safe)",)
        error.unconfirmed = True
    return error


def _detail(response: httpx.Response) -> str:
    """The server's explanation: ``detail`` of a JSON error body, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip() or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    return str(detail if detail is not None else body)[:300]
