"""Scale-out under load, with a replica killed mid-run: is any action lost or run twice, is the audit chain
whole, and how long do a request and an approval take (issue #18)?

    python bench/bench_scale_out.py [--backend sqlite|postgres|both] [--conversations 50] [--replicas 2]

Per backend, on a fresh simulator (and a throwaway PostgreSQL, ui/local_postgres.py): replica processes
(bench/scale_out_roles.py, each its own Copilot on the shared state, the scripted model) take the
conversations concurrently, split over them; each conversation asks olga's copilot to order parts, a
purchase order a supervisor must sign off, its request naming the conversation (the order's reason). An
approver process approves every waiting action as it appears, several at a time. Once the first replica
has answered a request and still has others in flight, it is killed with SIGKILL and started again on its
port (as a process supervisor would; at open it resumes what was cut off, as the app does). The client
retries a request the dead replica did not answer on the next replica with the same thread id, as a proxy
would; a conversation that already waits for sign-off answers "busy", which counts as taken.

SQLite is one replica (the issue's "SQLite (one process)"): its kill leaves no replica until the restart.
PostgreSQL runs ``--replicas``. Afterwards the ledger, the approval queue, the audit log and the ERP's
purchase orders are read back: lost = a conversation with no purchase order (its action approved and never
run, or never queued); run twice = a conversation with more than one order, or an action the ledger ran
more than once. Everything is on loopback and stops by itself; a run past ``--timeout`` fails loudly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.scale_out_report import read_back, show  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from copilot.store.approvals import ApprovalQueue, ApprovalStatus  # noqa: E402
from copilot.store.ledger import ExecutionLedger  # noqa: E402
from simulator.process import die_with_parent, free_ports, running_simulator, settings_env  # noqa: E402
from ui.local_postgres import running_postgres  # noqa: E402

ROLES = ROOT / "bench" / "scale_out_roles.py"
REQUESTER, APPROVER = "olga", "sam"  # an operator asks; a supervisor signs off (the site folder's users.yaml)
PART, QUANTITY = "TC-K-150", 2  # one purchase order each, within one approver's sign-off (config/policy.yaml)
START_TIMEOUT_S = 180.0
RESTART_AFTER_S = 1.0


class BenchFailed(RuntimeError):
    """The run did not finish in its time, or a process did not start; the message says which."""


def script_file(work: Path) -> Path:
    """The scripted model's replies: the order, chosen as the procedure order_part. A request retried after a
    cut-off run is a new turn, so the same choice stands for every turn a conversation may take."""
    choice = {"tool_calls": [{"name": "order_part", "args": {"part": PART, "quantity": QUANTITY,
                                                               "preference": "price"}}]}
    path = work / "script.json"
    path.write_text(json.dumps([choice] * 4))
    return path


def request_text(thread: str) -> str:
    """The request of conversation ``thread``: the order, naming the conversation (it becomes the order's reason)."""
    return f"order {QUANTITY} {PART} thermocouples, the cheapest, for load conversation {thread}"


@dataclass
class Replica:
    """One replica process on its port; started again on the same port after a kill."""

    index: int
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    in_flight: int = 0
    answered: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, str(ROLES), "replica", "--port", str(self.port)], cwd=ROOT,
                                         env=self.env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         preexec_fn=die_with_parent)

    async def ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise BenchFailed(f"replica {self.index} exited with {self.proc.returncode}:\n"
                                      f"{self.log.read_text()[-3000:]}")
                try:
                    if (await http.get(self.url + "/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise BenchFailed(f"replica {self.index} did not answer within {START_TIMEOUT_S:g} s:\n"
                          f"{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Conversation:
    """One load conversation: its thread, the replica it goes to first, and what became of its request
    (outcome, tries, seconds until taken)."""

    thread: str
    home: int  # the replica it is sent to first
    outcome: str = ""
    tries: int = 0
    latency_s: float = 0.0


@dataclass
class Kill:
    """When the replica was killed, what it had in flight and queued then, and how soon it served again."""

    at_s: float = 0.0
    asks_in_flight: int = 0
    queued: int = 0  # of the victim's conversations, when it was killed
    restarted_after_s: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)


async def converse(http: httpx.AsyncClient, replicas: list[Replica], conv: Conversation) -> None:
    """Ask until the request is taken (waiting, answered, or busy: already waiting), retrying on the next
    replica while one is gone, as a proxy would; the latency is the whole of it, retries included. Before a
    retry the client looks at the conversation, as its user would on reopening it: a request whose action is
    in the queue was taken ("queued") and is not sent again."""
    started = time.monotonic()
    order = [replicas[(conv.home + i) % len(replicas)] for i in range(len(replicas))]
    while not conv.outcome:
        for replica in order:
            conv.tries += 1
            replica.in_flight += 1
            try:
                if conv.tries > 1 and (await http.get(f"{replica.url}/conversations/{conv.thread}/actions")).json():
                    conv.outcome = "queued"
                    break
                response = await http.post(replica.url + "/ask", json={"user": REQUESTER, "thread_id": conv.thread,
                                                                       "text": request_text(conv.thread)})
            except httpx.TransportError:
                continue
            finally:
                replica.in_flight -= 1
            response.raise_for_status()
            replica.answered += 1
            conv.outcome = response.json()["outcome"]
            break
        else:
            await asyncio.sleep(0.2)  # no replica answers now (the only one restarts)
    conv.latency_s = time.monotonic() - started


async def kill_mid_run(victim: Replica, threads: list[str], settings: CopilotSettings, kill: Kill, t0: float,
                       asked: asyncio.Event) -> None:
    """SIGKILL the replica once a quarter of its conversations have their action in the queue, the others
    still on their way there and approvals under way (or, should that moment not come, once every request
    was taken); start it again."""
    queue = ApprovalQueue(settings.state_db)
    try:
        while not asked.is_set():
            queued = sum(bool(queue.for_thread(t)) for t in threads)
            if queued >= max(1, len(threads) // 4) and victim.in_flight:
                break
            await asyncio.sleep(0.05)
        kill.queued = queued
    finally:
        queue.close()
    kill.at_s, kill.asks_in_flight = time.monotonic() - t0, victim.in_flight
    victim.kill()
    await asyncio.sleep(RESTART_AFTER_S)
    victim.start()
    await victim.ready()
    kill.restarted_after_s = time.monotonic() - t0 - kill.at_s
    kill.done.set()


async def settle(settings: CopilotSettings, threads: set[str], deadline: float) -> None:
    """Wait until every action of these conversations is decided and each approved one has run."""
    queue = ApprovalQueue(settings.state_db)
    ledger = ExecutionLedger(settings.state_db)
    try:
        while time.monotonic() < deadline:
            actions = [a for t in threads for a in queue.for_thread(t)]
            open_ = [a for a in actions if a.status == ApprovalStatus.pending
                     or (a.status == ApprovalStatus.approved and ledger.lookup(a.action_id) is None)]
            if actions and not open_:
                return
            await asyncio.sleep(0.5)
    finally:
        queue.close()
        ledger.close()


@dataclass
class Setup:
    """The processes of one backend's run, started: the simulator, the shared state's settings, the replicas
    and the approver (its JSON lines in ``approver_log``)."""

    work: Path
    sim: ConnectorSettings
    settings: CopilotSettings
    replicas: list[Replica]
    approver: subprocess.Popen
    approver_log: Path


async def run_backend(backend: str, conversations: int, replicas_n: int, timeout_s: float,
                      keep: Path | None) -> dict:
    """``keep``: the folder for the processes' data and logs, kept afterwards (else a temporary one)."""
    with ExitStack() as stack:
        if keep is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"scale-out-{backend}-")))
        else:
            work = keep / backend
            work.mkdir(parents=True)
        setup = await start(stack, work, backend, 1 if backend == "sqlite" else replicas_n)
        n = len(setup.replicas)
        convs = [Conversation(f"load-{i:03d}", i % n) for i in range(conversations)]
        kill = Kill()
        t0 = time.monotonic()
        deadline = t0 + timeout_s
        await ask_all(setup, convs, kill, t0, deadline, f"{backend}: the conversations were not all taken within "
                      f"{timeout_s:g} s")
        asked_s = time.monotonic() - t0
        await settle(setup.settings, {c.thread for c in convs}, deadline)
        settled_s = time.monotonic() - t0
        setup.approver.send_signal(signal.SIGTERM)
        setup.approver.wait(30)
        for r in setup.replicas:
            r.stop()
        approvals = [json.loads(line) for line in setup.approver_log.read_text().splitlines() if line.strip()]
        report = await read_back(setup.settings, setup.sim, convs, approvals)
        return {**report, "backend": backend, "replicas": n, "kill": kill, "asked_s": asked_s,
                "settled_s": settled_s, "timed_out": settled_s >= timeout_s}


async def start(stack: ExitStack, work: Path, backend: str, n: int) -> Setup:
    """Start the simulator, PostgreSQL (for ``postgres``), ``n`` replicas (once they answer) and the approver
    in ``work``; each is stopped when ``stack`` closes."""
    sim: ConnectorSettings = stack.enter_context(running_simulator(work / "sim"))
    url = None
    if backend == "postgres":
        url = stack.enter_context(running_postgres(free_ports(1)[0])).new_database()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("PLANT_", "COPILOT_"))}
    env = {**keep, **settings_env(sim), "PYTHONPATH": str(ROOT), "COPILOT_DATA_DIR": str(work / "data"),
           "COPILOT_PROVIDER": "scripted", "COPILOT_SCRIPT_FILE": str(script_file(work)),
           "COPILOT_AUDIT_KEY": secrets.token_hex(32), "COPILOT_AUDIT_HEADS_DIR": str(work / "heads"),
           **({"COPILOT_DATABASE_URL": url} if url else {})}
    settings = CopilotSettings(data_dir=work / "data", database_url=url, audit_key=env["COPILOT_AUDIT_KEY"],
                               audit_heads_dir=work / "heads")
    replicas = [Replica(i, port, env, work / f"replica-{i}.log") for i, port in enumerate(free_ports(n))]
    for r in replicas:
        stack.callback(r.stop)
        r.start()
    await asyncio.gather(*(r.ready() for r in replicas))
    approver_log = work / "approver.out"
    with open(approver_log, "wb") as out, open(work / "approver.log", "wb") as err:
        approver = subprocess.Popen(
            [sys.executable, str(ROLES), "approver", *(a for r in replicas for a in ("--replica", r.url)),
             "--user", APPROVER, "--at-once", "4"], cwd=ROOT, env=env, stdout=out, stderr=err,
            preexec_fn=die_with_parent)
    stack.callback(lambda: approver.poll() is None and (approver.kill(), approver.wait()))
    return Setup(work, sim, settings, replicas, approver, approver_log)


async def ask_all(setup: Setup, convs: list[Conversation], kill: Kill, t0: float, deadline: float,
                  late: str) -> None:
    """Send every conversation's request while the first replica is killed and restarted; returns once all
    were taken and the replica serves again, or raises ``BenchFailed`` (``late``, with counts) at ``deadline``."""
    replicas = setup.replicas
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(timeout=httpx.Timeout(deadline - t0), limits=limits) as http:
        asked = asyncio.Event()
        victims = [c.thread for c in convs if c.home == 0]
        killer = asyncio.create_task(kill_mid_run(replicas[0], victims, setup.settings, kill, t0, asked))
        try:
            await asyncio.wait_for(asyncio.gather(*(converse(http, replicas, c) for c in convs)),
                                   deadline - time.monotonic())
            asked.set()
            await asyncio.wait_for(kill.done.wait(), deadline - time.monotonic())
        except TimeoutError:
            raise BenchFailed(f"{late} ({sum(bool(c.outcome) for c in convs)} of {len(convs)}); "
                              f"logs in {setup.work}") from None
        finally:
            killer.cancel()


async def main() -> None:
    """Run each backend asked for and print its report; exit 1 unless nothing was lost or run twice, the
    audit chain is intact and nothing timed out."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=2, help="replicas on PostgreSQL (SQLite runs one)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per backend before it fails")
    parser.add_argument("--keep", type=Path, help="keep the processes' data and logs in this (new) folder")
    args = parser.parse_args()
    failed = False
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        report = await run_backend(backend, args.conversations, args.replicas, args.timeout, args.keep)
        show(report)
        failed |= bool(report["lost"] or report["twice_effect"] or report["twice_requested"]
                       or not report["audit"].ok or report["timed_out"])
    if failed:
        print("target not met: 0 lost, 0 run twice, chain intact", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
