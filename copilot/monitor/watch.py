"""The monitor: every few seconds it takes each machine's live tags and reads their recent history, finds what an
engineer would, and acts on it as the user ``monitor`` — one alert per machine and cause, and
the matching procedure run once, its changes waiting in the approval queue like anyone's. Once a correction an
alert proposed has run and the in-line camera has inspected enough parts since, the detection's ``recheck``
procedure runs once in the alert's thread: whether the defect rate fell back. It never blocks on one machine: a
machine whose history cannot be read is skipped until the next check; one whose PLC does not answer is judged on
its history alone. While it runs, it follows the live tags by the PLCs' pushes (``copilot.monitor.live``: an OPC
UA subscription, a Sparkplug B edge node's data) instead of asking for them, and a pushed change wakes it to run the
detections on that machine's line at once; a machine whose PLC pushes nothing (Modbus) is polled at each check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from connectors.errors import ConnectorError
from connectors.plant import Machine
from copilot.identity.users import User
from copilot.monitor.alarm_alerts import AlarmAlert, alarm_alerts, is_alarm_cause
from copilot.monitor.alerts import Alert, Alerts, AlertStatus
from copilot.monitor.detectors import Finding, Live, find, tags_of
from copilot.monitor.drift import watch_drift
from copilot.monitor.live import LiveTags
from copilot.monitor.notify import Outbox
from copilot.monitor.order_turn import next_turn, order_turn
from copilot.monitor.spec import Detection, DetectionKind, MonitorSpec
from copilot.procedures.correction import MIN_PARTS
from copilot.service import Copilot, Step
from copilot.store.approvals import ApprovalStatus, PendingAction
from copilot.store.audit import AuditKind
from tools.reinspection import ReinspectionArgs, measured
from twin.sources import live_values

ACTOR = "monitor"
RECHECK_WITHIN_S = 24 * 3600  # how long after an alert opened its re-inspection is still awaited
WAKE_GAP_S = 2.0  # a pushed change runs the detections of its machine's line at most this often
SETTLE_S = 0.1  # the pushes of one publication are taken together


@dataclass
class Check:
    """What one check did."""

    opened: list[Alert] = field(default_factory=list)
    cleared: list[Alert] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # machines whose history did not answer


@dataclass
class _OnLine:
    """What one ``per_line`` detection found on a line's machines in one check."""

    found: list[Finding] = field(default_factory=list)
    unreadable: bool = False  # a machine's history did not answer: the line's alert is left as it is


class Monitor:
    """Checks every machine against the monitor file as ``user``: opens and clears alerts, and runs the
    procedure of each new one."""

    def __init__(self, copilot: Copilot, spec: MonitorSpec, alerts: Alerts, user: User,
                 outbox: Outbox | None = None) -> None:
        self.copilot, self.spec, self.alerts, self.user, self.outbox = copilot, spec, alerts, user, outbox
        self._followed: LiveTags | None = None

    def _names(self, machine: Machine) -> list[str]:
        """The machine's tags the detections read."""
        return sorted({t for d in self.spec.detections for t in tags_of(d, machine)})

    async def _live(self, machine: Machine) -> Live:
        """The machine's numeric tags the detections read: as its PLC last pushed them while they are followed,
        else polled from the PLC in one request; none when it does not answer (the history still tells)."""
        names = self._names(machine)
        if not names:
            return {}
        if self._followed is not None and (pushed := self._followed.values(machine.id, names)) is not None:
            return pushed
        try:
            return await live_values(self.copilot.rt.deps.plc, machine.id, names)
        except ConnectorError:
            return {}

    async def check(self, lines: set[str] | None = None) -> Check:
        """One pass over every machine and every detection that has its tags; a detection ``per_line`` keeps one
        alert per line, open while any of its machines finds it (and left as it is while one cannot be read).
        With ``lines``, only the detections of those lines' machines run (the twin, alarms and re-checks wait
        for the next full pass)."""
        done = Check()
        if lines is None:
            await self.copilot.measure_twin()  # changes whose predicted course has played out: how right it was
        by_line: dict[tuple[str, str], _OnLine] = {}  # (line, detection) -> what its machines found
        for machine in self.copilot.rt.deps.plant.machines.values():
            if lines is None or machine.line_id in lines:
                await self._check_machine(machine, done, by_line)
        for detection in (d for d in self.spec.detections if d.per_line):
            for (line_id, name), seen in by_line.items():
                if name != detection.name or seen.unreadable:
                    continue
                if not seen.found:
                    self._clear(line_id, detection, done)
                else:
                    await self._open(line_id, seen.found[0].machine_id, detection, _together(line_id, seen.found),
                                     done)
        if lines is None:
            await self._full_pass_end(done)
        return done

    async def _full_pass_end(self, done: Check) -> None:
        """What only a full pass does after the detections: the orders' turns, the alarms, the re-checks, the
        copilot's own drift."""
        for detection in (d for d in self.spec.detections if d.kind is DetectionKind.order_turn):
            await self._order_turns(detection, done)
        if self.spec.alarms is not None:
            await self._check_alarms(done)
        await self._recheck(done)
        if self.spec.drift is not None:  # the copilot's own figures against the admin's thresholds
            drift = watch_drift(self.copilot, self.alerts, self.spec.drift, ACTOR, self.outbox)
            done.opened, done.cleared = done.opened + drift.opened, done.cleared + drift.cleared

    async def _order_turns(self, detection: Detection, done: Check) -> None:
        """Each line whose next order's turn has come (copilot/monitor/order_turn.py) opens the detection's alert,
        which runs its procedure for the line, once per order; a line past it clears it. A line whose MES or PLC
        does not answer is left as it is."""
        for line in self.copilot.rt.deps.plant.lines:
            try:
                finding = await self._order_turn(detection, line.id)
            except ConnectorError:
                continue  # the MES or a PLC did not answer: the next full check looks again
            if finding is None:
                self._clear(line.id, detection, done)
            else:
                await self._open(line.id, line.id, detection, finding, done)

    async def _order_turn(self, detection: Detection, line_id: str) -> Finding | None:
        """The line's next order's turn from its MES queue, that order's recipe and the machines' setpoints now;
        ConnectorError when the MES or a PLC does not answer."""
        deps = self.copilot.rt.deps
        orders = await deps.mes.list_production_orders(line=line_id)
        turn = next_turn(orders)
        if turn is None:
            return None
        recipe = await deps.mes.order_recipe(turn.id)
        live: dict[tuple[str, str], float] = {}
        for machine_id in dict.fromkeys(s.machine_id for s in recipe.setpoints):
            tags = [s.tag for s in recipe.setpoints if s.machine_id == machine_id]
            live |= {(machine_id, t): v for t, v in (await live_values(deps.plc, machine_id, tags)).items()}
        return order_turn(detection.name, line_id, orders, recipe, live)

    async def _check_alarms(self, done: Check) -> None:
        """An alert for each active alarm the PLCs' servers keep, or one for a flood with its first cause; the
        alarm alerts no longer wanted are cleared (but not those of a machine whose server did not answer)."""
        conditions, unanswered = [], set()
        for machine in self.copilot.rt.deps.plant.machines.values():
            try:
                conditions += await self.copilot.rt.deps.plc.alarm_conditions(machine.id) or []
            except ConnectorError:
                unanswered.add(machine.id)
        wanted = alarm_alerts(conditions, flood_above=self.spec.alarms.flood_above,
                              window=timedelta(minutes=self.spec.alarms.window_minutes))
        for alarm in wanted:
            self._open_alarm(alarm, done)
        keep = {(a.machine_id, a.cause) for a in wanted}
        for alert in self.alerts.listed(AlertStatus.open):
            if is_alarm_cause(alert.cause) and (alert.machine_id, alert.cause) not in keep \
                    and alert.machine_id not in unanswered:
                self._clear_cause(alert.machine_id, alert.cause, done)

    def _open_alarm(self, alarm: AlarmAlert, done: Check) -> None:
        """Open the alert of an alarm or a flood (audited, told); a known open one is left. It starts no procedure:
        the alarm is the operator's to acknowledge."""
        alert, new = self.alerts.open(alarm.machine_id, alarm.cause, alarm.what, alarm.evidence)
        if not new:
            return
        self.copilot.rt.audit.append(kind=AuditKind.alert, actor=ACTOR, thread_id=alert.thread_id,
                                     arguments={"alert": alert.alert_id, "machine": alarm.machine_id,
                                                "cause": alarm.cause, "evidence": alarm.evidence},
                                     result={"status": "open", "what": alarm.what})
        done.opened.append(alert)
        if self.outbox:
            self.outbox.put(alert, "opened")

    async def _recheck(self, done: Check) -> None:
        """Run each detection's ``recheck`` in the thread of an alert whose proposed correction has run, once the
        camera has inspected ``MIN_PARTS`` of its machine's parts since; once per alert."""
        rechecks = {d.name: d.recheck for d in self.spec.detections if d.recheck}
        for alert in self.alerts.awaiting_recheck(list(rechecks), RECHECK_WITHIN_S):
            if not any(a.status is ApprovalStatus.approved and self.copilot.rt.ledger.lookup(a.action_id)
                       for a in self.copilot.actions_of(alert.thread_id)):
                continue
            machine_id = self._inspected(alert.machine_id)
            if machine_id is None:
                continue
            try:
                seen = await measured(self.copilot.rt.deps, ReinspectionArgs(machine_id=machine_id))
            except ConnectorError:
                done.unreadable.append(machine_id)
                continue
            if seen.after.inspected < MIN_PARTS or not self.alerts.rechecked(alert.alert_id):
                continue
            done.steps += await self.copilot.run_procedure(
                self.user, rechecks[alert.cause], {"machine": machine_id},
                f"Re-inspection after the correction of monitor alert {alert.alert_id} on {alert.machine_id} "
                f"({alert.cause}).", alert.thread_id)

    def _inspected(self, subject: str) -> str | None:
        """The machine whose parts tell an alert's re-inspection: its own, or for a line's alert the machine the
        line's camera follows; None for a line without a camera."""
        plant = self.copilot.rt.deps.plant
        if subject in plant.machines:
            return subject
        return next((c.follows for c in plant.cameras if c.line == subject), None)

    async def _check_machine(self, machine: Machine, done: Check, by_line: dict[tuple[str, str], _OnLine]) -> None:
        """Every detection that has its tags on one machine, what it did added to ``done``; what a ``per_line``
        detection found is kept in ``by_line`` instead."""
        live = await self._live(machine)
        read: dict[tuple[str, float], list] = {}  # each tag's history read once a check per window
        for detection in self.spec.detections:
            tags = tags_of(detection, machine)
            if not tags:
                continue
            try:
                history = await self._history(machine, detection.window_minutes, tags, read)
            except ConnectorError:
                done.unreadable.append(machine.id)
                by_line.setdefault((machine.line_id, detection.name), _OnLine()).unreadable = True
                continue
            finding = find(detection, machine, history, live)
            if detection.per_line:
                by_line.setdefault((machine.line_id, detection.name), _OnLine()).found += [finding] if finding else []
            elif finding is None:
                self._clear(machine.id, detection, done)
            else:
                await self._open(machine.id, machine.id, detection, finding, done)

    async def _history(self, machine: Machine, window_minutes: float, tags: list[str],
                       read: dict[tuple[str, float], list]) -> dict[str, list]:
        """Each tag's history over the window, read from the plant's historian unless ``read`` already holds it
        (it keeps what is read, even when a later tag raises :class:`ConnectorError`)."""
        history = self.copilot.rt.deps.history
        for t in tags:
            if (t, window_minutes) not in read:
                read[t, window_minutes] = await history.samples(machine.id, t, window_minutes)
        return {t: read[t, window_minutes] for t in tags}

    def _clear(self, subject: str, detection: Detection, done: Check) -> None:
        """Clear the open alert of the machine (or line) for the detection, if any."""
        self._clear_cause(subject, detection.name, done)

    def _clear_cause(self, subject: str, cause: str, done: Check) -> None:
        """Clear the open alert of the machine (or line) for the cause, if any: audited, told, added to ``done``."""
        if (cleared := self.alerts.clear(subject, cause)) is None:
            return
        self.copilot.rt.audit.append(kind=AuditKind.alert, actor=ACTOR, thread_id=cleared.thread_id,
                                     arguments={"alert": cleared.alert_id, "machine": subject,
                                                "cause": cause}, result={"status": "cleared"})
        done.cleared.append(cleared)
        if self.outbox:
            self.outbox.put(cleared, "cleared")

    async def _open(self, subject: str, target: str, detection: Detection, finding: Finding, done: Check) -> None:
        """Open an alert of the machine (or line) for a new finding (audited, told) and run its procedure on
        ``target`` (in the detection's subject slot: a machine, or the line of an order's turn); a known open one is
        left, and one whose proposals still wait is opened again without proposing or telling anything twice."""
        if self._still_proposing(subject, detection, finding):
            return
        alert, new = self.alerts.open(subject, detection.name, finding.what, finding.evidence)
        if not new:
            return  # known and open: nothing is done twice
        self.copilot.rt.audit.append(kind=AuditKind.alert, actor=ACTOR, thread_id=alert.thread_id,
                                     arguments={"alert": alert.alert_id, "machine": subject,
                                                "cause": detection.name, "evidence": finding.evidence},
                                     result={"status": "open", "what": finding.what})
        done.opened.append(alert)
        if self.outbox:
            self.outbox.put(alert, "opened")
        done.steps += await self.copilot.run_procedure(
            self.user, detection.procedure, {detection.subject_slot: target, **detection.slots}, _why(finding),
            alert.thread_id)

    def _still_proposing(self, subject: str, detection: Detection, finding: Finding) -> bool:
        """Whether the condition came back while the proposals of its last alert still wait (pending, or approved
        and not run): that alert is open again (audited), and nothing new is proposed or told."""
        last = self.alerts.latest_cleared(subject, detection.name)
        if last is None or not any(self._waits(a) for a in self.copilot.actions_of(last.thread_id)):
            return False
        if (again := self.alerts.reopen(last)) is None:
            return False
        self.copilot.rt.audit.append(kind=AuditKind.alert, actor=ACTOR, thread_id=again.thread_id,
                                     arguments={"alert": again.alert_id, "machine": subject,
                                                "cause": detection.name, "evidence": finding.evidence},
                                     result={"status": "reopened", "what": finding.what})
        return True

    def _waits(self, action: PendingAction) -> bool:
        return action.status is ApprovalStatus.pending or (
            action.status is ApprovalStatus.approved and self.copilot.rt.ledger.lookup(action.action_id) is None)

    async def run(self, stop: asyncio.Event, told: Callable[[Check], object] | None = None) -> None:
        """Check every ``interval_s`` until ``stop`` is set; meanwhile follow the live tags the PLCs push, and run
        the detections of a changed machine's line when one changes (at most every ``WAKE_GAP_S``). ``told`` gets
        what each pass did."""
        plant = self.copilot.rt.deps.plant
        self._followed = followed = LiveTags(self.copilot.rt.deps.plc,
                                             {m.id: self._names(m) for m in plant.machines.values()})
        follower = asyncio.create_task(followed.follow(), name="monitor: live tags")
        loop = asyncio.get_running_loop()
        try:
            due = loop.time()
            while not stop.is_set():
                full = loop.time() >= due
                done = await self._pass(followed, full)
                if full:
                    due = loop.time() + self.spec.interval_s
                if done is not None and told is not None:
                    told(done)
                await _until(stop, None, WAKE_GAP_S if done is not None and not full else 0.0)
                await _until(stop, followed.woke, due - loop.time())
                await _until(stop, None, SETTLE_S if followed.woke.is_set() else 0.0)
        finally:
            self._followed = None
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)

    async def _pass(self, followed: LiveTags, full: bool) -> Check | None:
        """A full check, or one of the lines whose machines' pushed tags changed; None when none did."""
        changed = followed.changed()
        if full:
            return await self.check()
        if changed:
            return await self.check({self.copilot.rt.deps.plant.machines[m].line_id for m in changed})
        return None


async def _until(stop: asyncio.Event, woke: asyncio.Event | None, seconds: float) -> None:
    """Wait until ``stop`` (or ``woke``) is set, or ``seconds`` have passed."""
    waits = [asyncio.ensure_future(e.wait()) for e in (stop, woke) if e is not None]
    try:
        await asyncio.wait(waits, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


def _together(line_id: str, found: list[Finding]) -> Finding:
    """The findings of one detection on several machines of a line as the line's one finding."""
    if len(found) == 1:
        return found[0]
    return Finding(line_id, found[0].detection, "; ".join(f"{f.machine_id} {f.what}" for f in found),
                   {f"{f.machine_id} {k}": v for f in found for k, v in f.evidence.items()})


def _why(finding: Finding) -> str:
    """The request the procedure runs for: what the monitor saw, on which machine, with its evidence."""
    evidence = ", ".join(f"{k} {v}" for k, v in finding.evidence.items())
    return f"Monitor alert on {finding.machine_id} ({finding.detection}): {finding.what}. Evidence: {evidence}."
