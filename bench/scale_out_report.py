"""What a scale-out run left behind, read back and printed (bench/bench_scale_out.py): lost and twice-run
actions, the audit chain, and the latencies of requests and approvals."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from connectors.erp import ErpClient
from connectors.settings import ConnectorSettings
from copilot.settings import CopilotSettings
from copilot.store.approvals import ApprovalQueue, ApprovalStatus
from copilot.store.audit import AuditKind, AuditLog
from copilot.store.ledger import ExecutionLedger, RunStatus

if TYPE_CHECKING:
    from bench.bench_scale_out import Conversation, Kill


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank), NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def read_back(settings: CopilotSettings, sim: ConnectorSettings, convs: list[Conversation],
                    approvals: list[dict]) -> dict:
    """What the shared state and the ERP hold once every process is stopped."""
    queue, ledger, audit = ApprovalQueue(settings.state_db), ExecutionLedger(settings.state_db), AuditLog.of(settings)
    try:
        actions = {c.thread: queue.for_thread(c.thread) for c in convs}
        ids = [a.action_id for acts in actions.values() for a in acts]
        ran = {i: ledger.lookup(i) for i in ids}
        executions = Counter(r.action_id for i in ids for r in audit.records(kind=AuditKind.execution, action_id=i))
        verify = audit.verify()
    finally:
        queue.close()
        ledger.close()
        audit.close()
    async with ErpClient.from_settings(sim) as erp:
        orders = await erp.list_purchase_orders()
    per_thread = Counter(next((c.thread for c in convs if c.thread in o.reason), None) for o in orders)
    lost_approved = [a.action_id for acts in actions.values() for a in acts if a.status == ApprovalStatus.approved
                     and (ran[a.action_id] is None or ran[a.action_id].status is not RunStatus.done)]
    return {
        "conversations": len(convs),
        "outcomes": Counter(c.outcome for c in convs),
        "retried": sum(c.tries > 1 for c in convs),
        "requested": len(ids),
        "statuses": Counter(str(a.status) for acts in actions.values() for a in acts),
        "executed": sum(o is not None and o.status is RunStatus.done for o in ran.values()),
        "orders": len(orders),
        "lost": sum(per_thread[c.thread] == 0 for c in convs),
        "lost_approved": len(lost_approved),
        "vanished": sum(not actions[c.thread] for c in convs),
        "twice_effect": sum(per_thread[c.thread] > 1 for c in convs),
        "twice_requested": sum(len(a) > 1 for a in actions.values()),
        "twice_ledger": sum(o is not None and o.attempts > 1 for o in ran.values()),
        "twice_audit": sum(k > 1 for k in executions.values()),
        "audit": verify,
        "ask_s": [c.latency_s for c in convs if c.tries == 1],
        "ask_retried_s": [c.latency_s for c in convs if c.tries > 1],
        "approve_s": [a["latency_s"] for a in approvals],
        "approvals": Counter((a["outcome"], a["ran_in_reply"]) for a in approvals),
    }


def show(r: dict) -> None:
    """Print one backend's report: the kill, the asks, lost and twice-run actions, the audit, the latencies."""
    k: Kill = r["kill"]
    ms = lambda xs, q: f"{pct(xs, q) * 1000:.0f}"  # noqa: E731
    verify = r["audit"]
    print(f"== {r['backend']}: {r['replicas']} replica(s) + approver; {r['conversations']} conversations")
    print(f"   kill: replica 0 SIGKILLed at {k.at_s:.1f} s with {k.asks_in_flight} requests in flight "
          f"({k.queued} of its conversations queued), "
          f"serving again {k.restarted_after_s:.1f} s later; asks taken by {r['asked_s']:.1f} s, "
          f"all settled by {r['settled_s']:.1f} s{' (TIMED OUT)' if r['timed_out'] else ''}")
    print(f"   asks: {dict(r['outcomes'])}, {r['retried']} retried on another replica or after the restart")
    print(f"   actions requested {r['requested']} ({dict(r['statuses'])}), executed {r['executed']}, "
          f"purchase orders {r['orders']}")
    print(f"   lost {r['lost']} (approved never run {r['lost_approved']}, never queued {r['vanished']}); "
          f"run twice {r['twice_effect']} (effect), {r['twice_requested']} (actions per conversation), "
          f"{r['twice_audit']} (execution records); ledger attempts > 1: {r['twice_ledger']} "
          "(re-sent under the same idempotency key)")
    print(f"   audit verify: {'intact' if verify.ok else 'BROKEN'} ({verify.count} records)"
          f"{'' if verify.ok else ': ' + verify.problem}")
    told = [f"{n} {outcome}" + ("" if ran else " (run found by its status)")
            for (outcome, ran), n in r["approvals"].items()]
    print(f"   approvals: {', '.join(told)}")
    print(f"   latency p50/p95 ms: request (ask until waiting) {ms(r['ask_s'], .5)}/{ms(r['ask_s'], .95)} "
          f"({len(r['ask_s'])} answered at once), {ms(r['ask_retried_s'], .5)}/{ms(r['ask_retried_s'], .95)} "
          f"({len(r['ask_retried_s'])} cut off by the kill, until taken); "
          f"approval (approve until executed) {ms(r['approve_s'], .5)}/{ms(r['approve_s'], .95)}")
