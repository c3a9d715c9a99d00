"""The plant's KPIs from its own records: the historian's machine states, the MES's counts, the ERP's work
orders and stock, the approval queue, the audit log and the monitor's alerts. Pure functions of the records,
so a known history gives numbers anyone can work out by hand (tests/test_kpi.py); ``gather`` reads them.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.erp import ErpClient
from connectors.errors import ConnectorError
from connectors.historian import open_history
from connectors.mes import MesClient
from connectors.plant import Plant
from connectors.plc import open_plc
from connectors.plc.alarms import AlarmCondition
from connectors.records import MachineQuality, StockLevel, WorkOrder, WorkOrderKind, WorkOrderStatus
from connectors.settings import ConnectorSettings
from copilot.monitor.alerts import AlertKind, AlertStatus, AlertVerdict
from copilot.reports.alarm_figures import AlarmFigures, Limits, figures, log_of
from copilot.reports.oee import PlantOee, plant_oee
from copilot.settings import CopilotSettings
from copilot.store.audit import AuditKind

Samples = list[tuple[float, float]]  # (seconds, state code), oldest first
STALE = Limits().stale_after


@dataclass(frozen=True)
class Availability:
    """How one machine spent the period: hours running and faulted (unplanned downtime), and its failures."""

    machine_id: str
    running_h: float
    down_h: float
    failures: int  # times it went into the faulted state

    @property
    def mtbf_h(self) -> float | None:
        """Mean time between failures: running hours per failure (None with no failure)."""
        return self.running_h / self.failures if self.failures else None


def availability(machine_id: str, states: Samples, *, running: int, faulted: int) -> Availability:
    """Each interval between two state samples counts as the state at its start."""
    run_s = down_s = 0.0
    failures = 0
    for (t0, s0), (t1, _) in zip(states, states[1:], strict=False):
        if s0 == running:
            run_s += t1 - t0
        elif s0 == faulted:
            down_s += t1 - t0
    previous = None
    for _, state in states:
        if state == faulted and previous is not None and previous != faulted:
            failures += 1
        previous = state
    return Availability(machine_id, run_s / 3600, down_s / 3600, failures)


def _done_at(order: WorkOrder) -> datetime | None:
    return next((e.at for e in order.history if e.status is WorkOrderStatus.done), None)


def mttr_h(orders: list[WorkOrder]) -> float | None:
    """Mean time to repair: hours from a corrective work order's opening to its being done."""
    spans = [(_done_at(o) - o.created_at).total_seconds() / 3600 for o in orders
             if o.kind is WorkOrderKind.corrective and _done_at(o) is not None]
    return statistics.fmean(spans) if spans else None


@dataclass(frozen=True)
class LineQuality:
    """A line's good and rejected units; its yield and defect rate are None when it made nothing."""

    line_id: str
    good: int
    rejects: int

    @property
    def first_pass_yield(self) -> float | None:
        made = self.good + self.rejects
        return self.good / made if made else None

    @property
    def defect_rate(self) -> float | None:
        made = self.good + self.rejects
        return self.rejects / made if made else None


def quality_by_line(machines: list[MachineQuality]) -> list[LineQuality]:
    """What each line made in the period, good and rejected, from its machines' counts."""
    lines: dict[str, list[int]] = {}
    for m in machines:
        counts = lines.setdefault(m.line_id, [0, 0])
        counts[0] += m.good_in_window or 0
        counts[1] += m.rejects_in_window or 0
    return [LineQuality(line, good, rejects) for line, (good, rejects) in sorted(lines.items())]


@dataclass(frozen=True)
class Stock:
    """The parts with none on the shelf, and the parts below their reorder point."""

    stockouts: list[str]  # parts with none on the shelf
    below_reorder: list[str]


def stock(levels: list[StockLevel]) -> Stock:
    """The stock KPIs of ``levels``: the parts at zero, and the parts below their reorder point."""
    return Stock([s.part for s in levels if s.stock == 0], [s.part for s in levels if s.below_reorder])


@dataclass(frozen=True)
class Actions:
    """What the copilot and the monitor proposed, and what became of it."""

    proposed: dict[str, int] = field(default_factory=dict)  # by who asked: people, monitor
    approved: int = 0
    rejected: int = 0
    executed: int = 0
    waiting_h_median: float | None = None  # from queueing to the decision


def actions(kinds_by_actor: list[tuple[AuditKind, str]], waits_s: list[float], monitor: str) -> Actions:
    """``kinds_by_actor``: the audit log's (kind, actor) of the period; ``waits_s``: how long each decided
    action waited in the queue."""
    proposed: dict[str, int] = {}
    for kind, actor in kinds_by_actor:
        if kind is AuditKind.proposal:
            who = "monitor" if actor == monitor else "people"
            proposed[who] = proposed.get(who, 0) + 1
    count = Counter(kind for kind, _ in kinds_by_actor)
    return Actions(proposed, count[AuditKind.approval], count[AuditKind.rejection], count[AuditKind.execution],
                   statistics.median(waits_s) / 3600 if waits_s else None)


@dataclass(frozen=True)
class MonitorHealth:
    """What the monitor's alerts came to: raised, cleared by themselves, and judged by people."""

    raised: int
    cleared_by_itself: int  # the condition went away
    confirmed: int  # closed by a person: a real problem
    false_alarms: int  # closed by a person: nothing was wrong

    @property
    def precision(self) -> float | None:
        """Of the alerts people judged, the share that were real."""
        judged = self.confirmed + self.false_alarms
        return self.confirmed / judged if judged else None


def monitor_health(statuses: list[AlertStatus], verdicts: list[AlertVerdict | None]) -> MonitorHealth:
    """``statuses`` and ``verdicts``: each alert's, in the same order."""
    return MonitorHealth(len(statuses), statuses.count(AlertStatus.cleared), verdicts.count(AlertVerdict.confirmed),
                         verdicts.count(AlertVerdict.false_alarm))


@dataclass(frozen=True)
class TwinHealth:
    """How right the twin's dry runs were about the changes that ran (copilot/store/twin_checks.py)."""

    measured: int
    mean_error: float | None  # the mean of each change's worst reading error, a fraction of the reading's range
    worst_error: float | None
    drift: float  # above this mean error the twin needs fitting again

    @property
    def drifting(self) -> bool:
        return self.mean_error is not None and self.mean_error > self.drift


def twin_health(worst_errors: list[float], drift: float) -> TwinHealth:
    """``worst_errors``: per measured change, its worst reading's error as a fraction of that reading's range."""
    return TwinHealth(len(worst_errors), statistics.fmean(worst_errors) if worst_errors else None,
                      max(worst_errors, default=None), drift)


@dataclass(frozen=True)
class PlantKpis:
    """The plant's KPIs over ``hours``: availability, quality, orders, repair time, stock, actions,
    the monitor, the twin and OEE."""

    hours: float
    machines: list[Availability]
    lines: list[LineQuality]
    orders_opened: int
    orders_done: int
    mttr_h: float | None
    stock: Stock
    actions: Actions
    monitor: MonitorHealth
    twin: TwinHealth
    oee: PlantOee = field(default_factory=lambda: PlantOee([], []))
    alarms: AlarmFigures | None = None  # None where no PLC server keeps an alarm journal


def _between(samples: Samples, start: float, end: float) -> Samples:
    return [(t, v) for t, v in samples if start <= t <= end]


def made_between(later: list[MachineQuality], earlier: list[MachineQuality]) -> list[MachineQuality]:
    """What each machine made between two reports of the MES (``later`` reaches further back): the difference."""
    before = {m.machine_id: m for m in earlier}

    def less(m: MachineQuality, count: str) -> int | None:
        total, recent = getattr(m, count), getattr(before.get(m.machine_id), count, None)
        return None if total is None else total - (recent or 0)

    return [m.model_copy(update={count: less(m, count) for count in ("good_in_window", "rejects_in_window")})
            for m in later]


async def gather(hours: float, connectors: ConnectorSettings, settings: CopilotSettings, *,
                 ago: float = 0.0) -> PlantKpis:
    """The KPIs of ``hours`` ending ``ago`` hours before now (0: the last ``hours``; ``ago=hours``: the shift
    before) from the historian, the MES, the ERP, the queue, the audit log, the monitor's alerts and the PLCs'
    alarm journals (the historian's hours are the plant's clock, its newest sample being now; the records' and
    the journals' are the wall clock). Stock has no history: it is always now."""
    from copilot.monitor.alerts import Alerts
    from copilot.monitor.watch import ACTOR
    from copilot.store.approvals import ApprovalQueue
    from copilot.store.audit import AuditLog
    from copilot.store.twin_checks import DRIFT, TwinChecks

    plant = connectors.load_plant()
    until = time.time() - ago * 3600
    since = until - hours * 3600

    def inside(ts: float) -> bool:
        return since <= ts <= until

    machines: list[Availability] = []
    async with MesClient.from_settings(connectors) as mes, ErpClient.from_settings(connectors) as erp, \
            open_history(connectors, plant, mes=mes) as history:
        for machine in plant.machines.values():
            if (state := machine.tags.get("state")) is not None:
                states = await history.samples(machine.id, "state", (ago + hours) * 60)
                end = states[-1][0] - ago * 3600 if states else 0.0
                machines.append(availability(machine.id, _between(states, end - hours * 3600, end),
                                             running=state.code_of("running"), faulted=state.code_of("faulted")))
        made = (await mes.quality(since_minutes=(ago + hours) * 60)).machines
        if ago:
            made = made_between(made, (await mes.quality(since_minutes=ago * 60)).machines)
        lines = quality_by_line(made)
        orders = await erp.list_work_orders()
        levels = await erp.inventory()
    opened = [o for o in orders if inside(o.created_at.timestamp())]
    audit = AuditLog.of(settings)
    records = [(r.kind, r.actor) for r in audit.records(limit=100_000) if inside(r.ts)]
    audit.close()
    queue = ApprovalQueue(settings.state_db)
    waits = [a.decided_at - a.created_at for a in queue.decided(limit=10_000) if a.decided_at and inside(a.created_at)]
    queue.close()
    alerts = Alerts(settings.state_db)
    shift = [a for a in alerts.listed(None, limit=10_000) if inside(a.opened_at) and a.kind is AlertKind.plant]
    alerts.close()
    checks = TwinChecks(settings.state_db)
    measured = [c.worst for c in checks.listed(since) if inside(c.started_at) and c.worst is not None]
    checks.close()
    return PlantKpis(hours, machines, lines, len(opened), sum(o.status is WorkOrderStatus.done for o in opened),
                     mttr_h([o for o in orders if (done := _done_at(o)) is not None and inside(done.timestamp())]),
                     stock(levels), actions(records, waits, monitor=ACTOR),
                     monitor_health([a.status for a in shift], [a.verdict for a in shift]),
                     twin_health(measured, DRIFT),
                     plant_oee({a.machine_id: (a.running_h, a.down_h) for a in machines}, made,
                               {m.id: m.ideal_rate_per_h for m in plant.machines.values() if m.ideal_rate_per_h}),
                     alarms=await alarm_figures(plant, connectors, settings, since, until))


async def alarm_figures(plant: Plant, connectors: ConnectorSettings, settings: CopilotSettings, since: float,
                        until: float) -> AlarmFigures | None:
    """The ISA-18.2 figures from the alarm journals of the PLCs' servers (read from a day before ``since`` too,
    for the standing and stale alarms); None where none keeps one or none answers."""
    start, end = datetime.fromtimestamp(since, UTC), datetime.fromtimestamp(until, UTC)
    events: dict[str, AlarmCondition] = {}
    kept = False
    async with open_plc(connectors, plant, settings.plc_protocol) as plc:
        for machine in plant.machines.values():
            try:
                found = await plc.alarm_history(machine.id, start - STALE, end)
            except ConnectorError:
                continue
            kept = kept or found is not None
            events.update({e.event_id: e for e in found or []})
    return figures(log_of(list(events.values())), start, end) if kept else None


@dataclass(frozen=True)
class Compared:
    """One headline figure of this period beside the one before."""

    name: str
    now: float | None
    before: float | None
    unit: str = ""
    share: bool = False  # a fraction, shown as a percentage

    def _shown(self, value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:.1%}" if self.share else f"{value:g}{self.unit}"

    @property
    def line(self) -> str:
        change = ""
        if self.now is not None and self.before is not None:
            delta = self.now - self.before
            change = ", no change" if abs(delta) < 1e-9 else \
                f", {delta * 100:+.1f} points" if self.share else f", {round(delta, 2):+g}{self.unit}"
        return f"{self.name}: {self._shown(self.now)} (previous shift {self._shown(self.before)}{change})"


def compared(now: PlantKpis, before: PlantKpis) -> list[Compared]:
    """The figures a supervisor compares across a handover: downtime, failures, yield per line, work orders,
    the copilot's actions and the monitor's alerts."""
    rows = [Compared("unplanned downtime", round(sum(m.down_h for m in now.machines), 2),
                     round(sum(m.down_h for m in before.machines), 2), " h"),
            Compared("failures", sum(m.failures for m in now.machines), sum(m.failures for m in before.machines))]
    earlier = {q.line_id: q for q in before.lines}
    rows += [Compared(f"first-pass yield line {q.line_id}", q.first_pass_yield,
                      earlier[q.line_id].first_pass_yield if q.line_id in earlier else None, share=True)
             for q in now.lines]
    earlier_oee = {o.name: o.oee for o in before.oee.lines}
    rows += [Compared(f"OEE {o.name}", o.oee, earlier_oee.get(o.name), share=True) for o in now.oee.lines]
    rows += [Compared("work orders opened", now.orders_opened, before.orders_opened),
             Compared("work orders done", now.orders_done, before.orders_done),
             Compared("actions executed", now.actions.executed, before.actions.executed),
             Compared("monitor alerts", now.monitor.raised, before.monitor.raised)]
    return rows


def lines_of(k: PlantKpis) -> list[str]:
    """The KPIs as lines people read (the CLI, the shift report)."""
    lines = [f"KPIs over the last {k.hours:g} h"]
    for a in k.machines:
        mtbf = f"{a.mtbf_h:.1f} h" if a.mtbf_h is not None else "-"
        lines.append(f"  {a.machine_id:<7} running {a.running_h:5.1f} h, unplanned downtime {a.down_h:4.1f} h, "
                     f"{a.failures} failures, MTBF {mtbf}")
    for line in k.lines:
        fpy = f"{line.first_pass_yield:.1%}" if line.first_pass_yield is not None else "-"
        lines.append(f"  line {line.line_id}: first-pass yield {fpy}, {line.good} good, {line.rejects} rejected")
    lines += [f"  {row}" for row in k.oee.shown]
    lines.append(f"  work orders: {k.orders_opened} opened, {k.orders_done} done; "
                 f"MTTR {f'{k.mttr_h:.1f} h' if k.mttr_h is not None else '-'}")
    lines.append(f"  stock: {len(k.stock.stockouts)} stockouts {k.stock.stockouts or ''}, {len(k.stock.below_reorder)} "
                 "parts at or below their reorder point")
    a = k.actions
    wait = f"{a.waiting_h_median * 60:.0f} min" if a.waiting_h_median is not None else "-"
    lines.append(f"  actions: proposed {a.proposed.get('people', 0)} by people, {a.proposed.get('monitor', 0)} by the "
                 f"monitor; {a.approved} approvals, {a.rejected} rejections, {a.executed} executed; median wait for "
                 f"sign-off {wait}")
    m = k.monitor
    precision = f"{m.precision:.0%}" if m.precision is not None else "-"
    lines.append(f"  monitor: {m.raised} alerts, {m.cleared_by_itself} cleared by themselves; people judged "
                 f"{m.confirmed} real and {m.false_alarms} false alarms (precision {precision})")
    t = k.twin
    if t.measured:
        lines.append(f"  twin: {t.measured} changes measured against its dry runs, "
                     f"mean error {t.mean_error:.1%} of range (worst {t.worst_error:.1%})"
                     + ("; it drifts from the plant: fit it again" if t.drifting else ""))
    else:
        lines.append("  twin: no change measured against its dry runs yet")
    if k.alarms is not None:
        lines += [f"  alarms (ISA-18.2): {line}" for line in k.alarms.lines()]
    return lines
