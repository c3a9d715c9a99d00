"""What the simulated ERP and MES services share: SQLite access, idempotent writes, errors, the fault guard.

Both services are small FastAPI apps over one SQLite file each. They may be served
from any thread, so every request opens its own connection (WAL mode lets readers
run beside the one writer) and every write runs in a ``BEGIN IMMEDIATE``
transaction, which serialises writers and makes check-then-insert safe.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from connectors.errors import NotFound
from simulator.faults import FaultBoard, FaultKind

API_PREFIX = "/api/v1"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200

_IDEMPOTENCY_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class ErrorBody(BaseModel):
    """Every error answer: what went wrong, in words an operator can act on."""

    detail: str
    errors: list[dict[str, Any]] | None = Field(default=None, description="on 422: each bad field and why")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A write without an Idempotency-Key header"},
    404: {"model": ErrorBody, "description": "An unknown machine, line, tag, part, supplier or record"},
    409: {"model": ErrorBody, "description": "The record's state does not allow the change, or the "
          "Idempotency-Key was used for another request"},
    422: {"model": ErrorBody, "description": "An invalid request; the detail names the fields"},
    500: {"model": ErrorBody, "description": "The service is failing; try again later"},
}


def api_router() -> APIRouter:
    """The router of a service's versioned API, with the error answers documented."""
    return APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)


def utc_now() -> datetime:
    """Now, timezone-aware in UTC: the time every record and idempotency key is stamped with."""
    return datetime.now(UTC)


class Database:
    """One SQLite file, opened per use so that any thread may serve a request."""

    def __init__(self, path: Path, schema: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_IDEMPOTENCY_SCHEMA + schema)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the write lock from its start, committed only if the block succeeds."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()


def next_id(conn: sqlite3.Connection, table: str, prefix: str) -> tuple[int, str]:
    """The next sequence number of ``table`` and its record id (``WO-00007``); call inside a write."""
    seq = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}").fetchone()[0]
    return seq, f"{prefix}-{seq:05d}"


def canonical_id(raw: str) -> str:
    """Record and part ids as stored: trimmed, upper case (``wo-00001`` finds ``WO-00001``)."""
    return raw.strip().upper()


# ---------------------------------------------------------------------------------------- idempotency


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="A key unique to this change. Sending the same key again with the same body returns "
            "the first answer and changes nothing; the same key with a different body is refused (409).",
        ),
    ] = None,
) -> str:
    """The write's idempotency key; every write needs one, so a retried write never happens twice."""
    if key is None or not key.strip():
        raise HTTPException(400, f"an {IDEMPOTENCY_HEADER} header is required on every write "
                                 "(any unique string; reuse it only to retry the same request)")
    if len(key) > MAX_KEY_LENGTH:
        raise HTTPException(400, f"the {IDEMPOTENCY_HEADER} header is longer than {MAX_KEY_LENGTH} characters")
    return key.strip()


IdempotencyKey = Annotated[str, Depends(idempotency_key)]


def _fingerprint(method: str, path: str, body: BaseModel) -> str:
    canonical = json.dumps(
        {"method": method, "path": path, "body": body.model_dump(mode="json")}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(
    db: Database,
    request: Request,
    key: str,
    body: BaseModel,
    change: Callable[[sqlite3.Connection], BaseModel],
    *,
    status_code: int = 200,
) -> JSONResponse:
    """Apply ``change`` once per idempotency key, atomically with remembering the key and the answer.

    A repeat of the same request with the same key answers the first answer (200, with an
    ``Idempotent-Replayed: true`` header) and changes nothing; the same key with another
    request is a 409. A change that fails (4xx) is rolled back and its key stays unused.
    """
    fingerprint = _fingerprint(request.method, request.url.path.lower(), body)  # ids are case-insensitive
    with db.write() as conn:
        seen = conn.execute("SELECT * FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
        if seen is not None:
            if seen["fingerprint"] != fingerprint:
                raise HTTPException(
                    409,
                    f"{IDEMPOTENCY_HEADER} {key!r} was already used on {seen['created_at']} for a different "
                    f"request ({seen['method']} {seen['path']}); use a new key for a new request",
                )
            return JSONResponse(json.loads(seen["body"]), status_code=200, headers={REPLAYED_HEADER: "true"})
        answer = change(conn).model_dump(mode="json")
        conn.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, method, path, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (key, fingerprint, request.method, request.url.path, json.dumps(answer), utc_now().isoformat()),
        )
    return JSONResponse(answer, status_code=status_code)


# ---------------------------------------------------------------------------------------- errors and faults


class FaultGuard:
    """ASGI middleware: while the service's fault is on the board, every request answers 500."""

    def __init__(self, app: ASGIApp, *, faults: FaultBoard, kind: FaultKind, system: str) -> None:
        self.app = app
        self.faults = faults
        self.kind = kind
        self.system = system

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.faults.get(self.kind) is not None:
            response = JSONResponse(
                {"detail": f"{self.system} internal error: the database is not responding ({self.kind} fault)"},
                status_code=500,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _validation_detail(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """One sentence naming every bad field (``quantity: Input should be greater than 0``), and the list."""
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[1:]
        problems.append({"loc": loc, "msg": err.get("msg", "invalid")})
    text = "; ".join(f"{'.'.join(p['loc']) or 'body'}: {p['msg']}" for p in problems)
    return f"invalid request: {text}", problems


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    detail, problems = _validation_detail(exc)
    return JSONResponse({"detail": detail, "errors": jsonable_encoder(problems)}, status_code=422)


async def _on_not_found(request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


def service_app(
    *, system: str, title: str, description: str, tags: list[dict[str, str]], faults: FaultBoard, fault: FaultKind
) -> FastAPI:
    """A FastAPI app with the shared error shapes (``{"detail": ...}``) and the service's fault guard."""
    app = FastAPI(title=title, description=description, version="1.0.0", openapi_tags=tags)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_middleware(FaultGuard, faults=faults, kind=fault, system=system)
    return app
