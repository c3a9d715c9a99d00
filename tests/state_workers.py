"""What each of several real processes does in the multi-process tests (tests/test_storage.py):
started with multiprocessing's spawn, each opens the store itself, as a separate CLI, app or monitor would,
and waits at a barrier so that all of them write at the same time."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from copilot.monitor.alerts import Alerts
from copilot.store.approvals import ApprovalQueue
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.conversations import Conversations
from copilot.store.db import Location
from copilot.store.ledger import ExecutionLedger
from copilot.store.twin_checks import TwinChecks


def append_audit(location: Location, key: bytes, heads_dir: Path, writer: int, records: int, barrier) -> None:
    log = AuditLog(location, key=key, heads_dir=heads_dir)
    barrier.wait()
    for i in range(records):
        log.append(kind=AuditKind.decision, actor=f"writer-{writer}", arguments={"i": i})
    log.close()


def run_action_once(location: Location, action_id: str, ran_file: Path, barrier) -> bool:
    """Run the action through the ledger; the run writes one line to ``ran_file`` (O_APPEND, so no line is lost).
    True if this process was the one that ran it."""
    ledger = ExecutionLedger(location)

    async def run() -> dict:
        with open(ran_file, "a") as out:
            out.write(f"{os.getpid()}\n")
        await asyncio.sleep(0.3)  # a run that takes a while: the other process must wait, not run it too
        return {"work_order": "WO-1"}

    barrier.wait()
    outcome = asyncio.run(ledger.run_once(action_id, "create_work_order", run, errors=(RuntimeError,)))
    ledger.close()
    assert outcome.result == {"work_order": "WO-1"}
    return outcome.fresh


def open_every_store(location: Location, barrier) -> None:
    """Open the stores of the state database at the same moment as the other processes (a fresh database)."""
    barrier.wait()
    for store in (ApprovalQueue, ExecutionLedger, Conversations, Alerts, TwinChecks):
        store(location).close()
