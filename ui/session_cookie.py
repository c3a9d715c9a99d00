"""The app's session cookie, set and cleared over HTTP so that it is HttpOnly: no script in the page can read it.

``/_session/open?code=...`` trades a sign-in's one-time handoff code (copilot/identity/sessions.py) for the
session's cookie secret and sets it (HttpOnly, Secure, SameSite=Strict, for the rest of the session's shift);
``/_session/close`` clears it. Both lead back to the app. Browsers keep a Secure cookie over plain HTTP only from
loopback (the demo); behind the plant's reverse proxy the app is reached over HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from copilot.identity import AppSessions

__all__ = ["CLOSE_PATH", "COOKIE", "OPEN_PATH", "routes"]

COOKIE = "plant_copilot_session"
OPEN_PATH = "/_session/open"
CLOSE_PATH = "/_session/close"
_MAX_CODE = 128


def _back(request: Request) -> RedirectResponse:
    response = RedirectResponse(request.scope.get("root_path", "") + "/", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def routes(sessions: Callable[[], AppSessions]) -> list[Route]:
    """The two routes, over the app's sessions (made on first use: the configuration is read then)."""

    async def open_session(request: Request) -> RedirectResponse:
        code = request.query_params.get("code", "")[:_MAX_CODE]
        got = await run_in_threadpool(sessions().cookie_for, code) if code else None
        response = _back(request)
        if got is not None:
            secret, lifetime_s = got
            response.set_cookie(COOKIE, secret, max_age=int(lifetime_s), path="/", secure=True, httponly=True,
                                samesite="strict")
        return response

    async def close_session(request: Request) -> RedirectResponse:
        response = _back(request)
        response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")
        return response

    return [Route(OPEN_PATH, open_session), Route(CLOSE_PATH, close_session)]
