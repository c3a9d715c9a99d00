"""The processes of the scale-out bench (bench/bench_scale_out.py), each an OS process of its own.

    python bench/scale_out_roles.py replica --port P
    python bench/scale_out_roles.py approver --replica URL [--replica URL] --user sam --at-once 4

A *replica* is what one app replica does for its users, behind a loopback HTTP face: it opens its own
Copilot on the shared state (COPILOT_DATABASE_URL, or the SQLite files of COPILOT_DATA_DIR) with the
model of COPILOT_PROVIDER, resumes at open what was decided or cut off while no process ran it (as the
app does, ui/runtime.py), and serves asks, approvals and action statuses through the copilot's public API.
It is a harness for the bench, not a product face: it trusts the user name it is given.

The *approver* is a supervisor at the Approvals page: it watches the queue through a replica, approves
every waiting action as it appears, several at a time, on whichever replica answers (another one when a
replica is gone), and prints one JSON line per approval. SIGTERM ends it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from copilot.agent.status import Status  # noqa: E402
from copilot.config import Configuration  # noqa: E402
from copilot.identity.users import UserDirectory  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.service import ConversationBusy, Copilot, Step  # noqa: E402
from copilot.store.approvals import NotPending, UnknownAction  # noqa: E402
from policies.engine import ApprovalRefused  # noqa: E402

POLL_S = 0.2
REQUEST_TIMEOUT_S = 120.0


class AskIn(BaseModel):
    """A request of ``user`` in conversation ``thread_id``."""

    user: str
    thread_id: str
    text: str


class ApproveIn(BaseModel):
    """``user``'s approval of the waiting action ``action_id``."""

    user: str
    action_id: str


class Reply(BaseModel):
    """What became of an ask or an approval, as the client reads it."""

    outcome: str  # waiting | busy | answered (asks); ran | not_pending | refused (approvals)
    action_ids: list[str] = []
    statuses: list[Status] = []


def _results(steps: list[Step], action_id: str | None = None) -> list[Status]:
    return [s.status for s in steps if s.kind == "result" and s.status is not None
            and (action_id is None or s.action_id == action_id)]


def replica_app(config: Configuration) -> FastAPI:
    """The replica's face: its Copilot opened (and what waits resumed) before the first request."""
    users = UserDirectory.load(config.copilot.users_file)
    opened: dict[str, Copilot] = {}

    async def lifespan(app: FastAPI):
        async with Copilot.open(make_chat_model(config.llm), settings=config.copilot, connectors=config.connectors,
                                twin=config.twin) as copilot:
            await copilot.resume_decided()
            opened["copilot"] = copilot
            yield

    app = FastAPI(title="scale-out bench replica", lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/ask")
    async def ask(body: AskIn) -> Reply:
        return await _ask(opened["copilot"], users, body)

    @app.post("/approve")
    async def approve(body: ApproveIn) -> Reply:
        return await _approve(opened["copilot"], users, body)

    @app.get("/conversations/{thread_id}/actions")
    async def actions_of(thread_id: str) -> list[str]:
        return [a.action_id for a in opened["copilot"].actions_of(thread_id)]

    @app.get("/pending")
    async def pending() -> list[str]:
        return [a.action_id for a in opened["copilot"].pending()]

    @app.get("/actions/{action_id}")
    async def action(action_id: str, user: str) -> dict[str, Any]:
        try:
            state = opened["copilot"].action_status(action_id, users.get(user))
        except UnknownAction:
            return {"status": None}
        return {"status": state.status, "queue": state.queue}

    return app


async def _ask(copilot: Copilot, users: UserDirectory, body: AskIn) -> Reply:
    """Ask and run the turn to its end: waiting (with the actions), answered, or busy (already waiting)."""
    try:
        steps = [s async for s in copilot.ask(users.get(body.user), body.text, thread_id=body.thread_id)]
    except ConversationBusy:
        return Reply(outcome="busy")
    waiting = [s.action_id for s in steps if s.kind == "waiting" and s.action_id]
    return Reply(outcome="waiting" if waiting else "answered", action_ids=waiting, statuses=_results(steps))


async def _approve(copilot: Copilot, users: UserDirectory, body: ApproveIn) -> Reply:
    """Approve and run the action here: ran (with its results), not_pending, or refused."""
    try:
        _, steps = await copilot.approve(body.action_id, users.get(body.user))
    except NotPending:
        return Reply(outcome="not_pending", action_ids=[body.action_id])
    except ApprovalRefused:
        return Reply(outcome="refused", action_ids=[body.action_id])
    return Reply(outcome="ran", action_ids=[body.action_id], statuses=_results(steps, body.action_id))


def run_replica(port: int) -> None:
    """Serve a replica on ``port`` (loopback) with the configuration of the environment, until killed."""
    config = Configuration.from_environment()
    uvicorn.run(replica_app(config), host="127.0.0.1", port=port, log_level="warning")


# -- the approver ---------------------------------------------------------------------------------------

class Approver:
    """Approves each waiting action once it is seen, on the first replica that answers, and follows it to
    its execution: the approval's reply when it ran there, else the action's status (a replica that died
    mid-approval, an approval another process resumed)."""

    def __init__(self, replicas: list[str], user: str, at_once: int) -> None:
        self._http = httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S)
        self._replicas = replicas
        self._user = user
        self._slots = asyncio.Semaphore(at_once)
        self._seen: set[str] = set()
        self._tasks: set[asyncio.Task] = set()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request on the first replica that answers; the next ones when it is gone (a proxy's retry)."""
        while True:
            for base in self._replicas:
                try:
                    response = await self._http.request(method, base + path, **kwargs)
                except httpx.TransportError:
                    continue
                if response.status_code == 200:
                    return response.json()
            await asyncio.sleep(POLL_S)  # every replica is down or restarting

    async def _approve(self, action_id: str) -> None:
        started = time.monotonic()
        async with self._slots:
            reply = Reply.model_validate(await self._request("POST", "/approve",
                                                             json={"user": self._user, "action_id": action_id}))
        ran_in_reply = Status.done in reply.statuses
        status = Status.done if ran_in_reply else None
        while status not in (Status.done, Status.error, Status.rejected, Status.not_approved, Status.denied):
            await asyncio.sleep(POLL_S)  # (an action that never runs is followed until SIGTERM: the bench's "lost")
            status = (await self._request("GET", f"/actions/{action_id}", params={"user": self._user}))["status"]
        print(json.dumps({"action_id": action_id, "outcome": reply.outcome, "ran_in_reply": ran_in_reply,
                          "status": status, "latency_s": time.monotonic() - started}), flush=True)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for action_id in await self._request("GET", "/pending"):
                if action_id not in self._seen:
                    self._seen.add(action_id)
                    task = asyncio.create_task(self._approve(action_id))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)
        for task in list(self._tasks):
            task.cancel()
        await self._http.aclose()


async def run_approver(replicas: list[str], user: str, at_once: int) -> None:
    """Approve what waits on ``replicas`` as ``user``, ``at_once`` at a time, until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await Approver(replicas, user, at_once).run(stop)


def main() -> None:
    """Run the role the command line names: a replica or the approver."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    roles = parser.add_subparsers(dest="role", required=True)
    replica = roles.add_parser("replica")
    replica.add_argument("--port", type=int, required=True)
    approver = roles.add_parser("approver")
    approver.add_argument("--replica", action="append", required=True, help="a replica's base URL (repeatable)")
    approver.add_argument("--user", required=True, help="the supervisor who approves")
    approver.add_argument("--at-once", type=int, default=4, help="approvals in flight at once")
    args = parser.parse_args()
    if args.role == "replica":
        run_replica(args.port)
    else:
        asyncio.run(run_approver(args.replica, args.user, args.at_once))


if __name__ == "__main__":
    main()
