"""The MCP server's HTTP door: every request needs a valid bearer token before it reaches the server.

A refusal is a 401 that says why twice: in ``WWW-Authenticate`` (RFC 6750: ``error``, ``error_description``) and
in its body, a JSON-RPC error the MCP SDK's client hands to its caller. The server runs no OAuth (tokens are
made with ``plant-copilot mcp token create``), so it names no ``resource_metadata`` to discover.
"""

from __future__ import annotations

import json

import mcp_types as types
from starlette.types import ASGIApp, Receive, Scope, Send

from copilot import Copilot, Origin
from copilot.identity import AccessTokens

REALM = "plant-copilot"
HOW = "send Authorization: Bearer <token>; `plant-copilot mcp token create --user NAME` makes one"


def bearer(header: str) -> str:
    """The token of an ``Authorization: Bearer ...`` header, or '' when there is none."""
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def _quoted(text: str) -> str:
    """``text`` as an RFC 7230 quoted string (ASCII, no quote or backslash unescaped)."""
    plain = text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace('"', '\\"')
    return f'"{plain}"'


def unauthorized(why: str, *, presented: bool) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of a 401 for ``why``; ``presented``: a token came and was refused (invalid_token),
    rather than none at all (then RFC 6750 names no error code)."""
    params = [f"realm={_quoted(REALM)}"]
    if presented:
        params.append('error="invalid_token"')
    params.append(f"error_description={_quoted(why)}")
    error = {"code": types.INVALID_REQUEST, "message": f"unauthorized: {why}; {HOW}",
             "data": {"error": "invalid_token" if presented else "unauthorized", "error_description": why}}
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"www-authenticate", f"Bearer {', '.join(params)}".encode())]
    return headers, body


class BearerGate:
    """Every HTTP request needs a valid bearer token before it reaches the MCP server; a refusal is a 401 that
    says why and a record in the audit log (never the token itself)."""

    def __init__(self, app: ASGIApp, tokens: AccessTokens, copilot: Copilot) -> None:
        self.app, self.tokens, self.copilot = app, tokens, copilot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        token = bearer(header)
        user, why = self.tokens.user_of(token) if token else (None, "no bearer token")
        if user is not None:
            return await self.app(scope, receive, send)
        client = scope.get("client") or ("?", 0)
        self.copilot.record_refusal("unknown", why, via=Origin.mcp, address=str(client[0]))
        headers, body = unauthorized(why, presented=bool(token))
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})
