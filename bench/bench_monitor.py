"""How well the monitor's detections find the simulator's faults, how early, and how often they cry wolf.

    python bench/bench_monitor.py [--hours 6] [--normal-hours 24] [--seeds 0 1] [--severities 0.3 0.6 1] [--subscribe]

Each fault kind is injected at several severities on the machines it applies to, on a fresh simulated plant
per seed (simulator/process.py, clock frozen and moved by the bench). Every `interval_s` of the monitor file
(config/monitor.yaml) the detections (copilot/monitor/detectors.py) read the historian exactly as the
monitor does. Printed per run: the first finding and when, the PLC's own first alarm on that machine and
when (a reading past its alarm limit), and the lead time (positive: the monitor was earlier). Then runs with
no fault: alerts opened per simulated day of normal running (a finding that stays is one alert).

``--subscribe`` also measures how soon an alert follows the moment its detection can see the fault when the
live tags are followed by OPC UA subscription (copilot/monitor/live.py) instead of polled every ``interval_s``.
For each fault found, a fresh simulator with the same seed replays the run up to one check before the finding,
then moves one simulated second at a time: the onset is the first second at which the detection finds the fault
over the history and the PLC's values (its own window shows it); the alert is the first second at which it finds
it over the history and the values the server pushed, plus the wall time the push and the detection took (on a
plant in real time, that time passes on the plant's clock too). Polling would alert at the next check.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from connectors.mes import MesClient  # noqa: E402
from connectors.plant import Machine, Plant, load_plant  # noqa: E402
from connectors.plc import PlcClient, open_plc  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.monitor.detectors import Live, find, tags_of  # noqa: E402
from copilot.monitor.live import LiveTags  # noqa: E402
from copilot.monitor.spec import MonitorSpec  # noqa: E402
from copilot.procedures.spec import Procedures  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from simulator.process import running_simulator  # noqa: E402
from tools.registry import TOOLS  # noqa: E402

FAULTS = [  # (kind, machine, extra fields), each at every severity
    ("bearing_wear", "P-101", {}), ("bearing_wear", "HP-102", {}), ("bearing_wear", "CV-203", {}),
    ("temp_controller_drift", "OV-201", {}), ("temp_controller_drift", "IM-103", {}),
    ("sensor_drift", "OV-201", {"tag": "zone_temp"}), ("sensor_drift", "P-101", {"tag": "bearing_temp"}),
    ("jam", "CV-203", {}),
]
SEVERITIES = [0.3, 0.6, 1.0]
PUSH_WAIT_S = 2.0  # how long a step waits for the server's push of the new values (wall seconds)


def alarmed(plant: Plant, machine_id: str, history: dict[str, list]) -> str | None:
    """The PLC's own alarm: a reading past its alarm limit in the last sample, or the machine faulted."""
    machine = plant.machines[machine_id]
    for name, samples in history.items():
        tag = machine.tags.get(name)
        if samples and tag is not None and tag.alarm_high is not None and samples[-1][1] >= tag.alarm_high:
            return name
    state = history.get("state")
    return "state" if state and state[-1][1] == machine.tags["state"].code_of("faulted") else None


async def watch(sim, plant: Plant, spec: MonitorSpec, hours: float, machine_id: str | None) -> dict:
    """Move the clock a check at a time; what each machine's detections find, and when the PLC alarms."""
    found: dict[str, tuple[float, str]] = {}  # machine -> first (time, detection)
    alarms: dict[str, tuple[float, str]] = {}
    openings, open_now = 0, set()
    async with MesClient.from_settings(sim) as mes:
        for check in range(1, int(hours * 3600 / spec.interval_s) + 1):
            httpx.post(f"{sim.sim_url}/advance", json={"seconds": spec.interval_s}, timeout=60).raise_for_status()
            now = check * spec.interval_s
            for machine in plant.machines.values():
                if machine_id and machine.id != machine_id:
                    continue
                every = {t for d in spec.detections for t in tags_of(d, machine)} | {"state"}
                wide = max(d.window_minutes for d in spec.detections)
                recent = {t: await mes.history(machine.id, t, wide) for t in every if t in machine.tags}
                for detection in spec.detections:
                    since = detection.window_minutes * 60
                    window = {t: [s for s in recent.get(t, []) if s[0] >= recent[t][-1][0] - since]
                              for t in tags_of(detection, machine) if recent.get(t)}
                    key = (machine.id, detection.name)
                    if find(detection, machine, window):
                        found.setdefault(machine.id, (now, detection.name))
                        if key not in open_now:
                            open_now.add(key)
                            openings += 1
                    else:
                        open_now.discard(key)
                if (alarm := alarmed(plant, machine.id, {t: recent.get(t, []) for t in machine.tags})):
                    alarms.setdefault(machine.id, (now, alarm))
    return {"found": found, "alarms": alarms, "openings": openings}


def advance(sim: ConnectorSettings, seconds: float) -> None:
    """Move the simulator's frozen clock on by ``seconds``."""
    httpx.post(f"{sim.sim_url}/advance", json={"seconds": seconds}, timeout=600).raise_for_status()


async def finds(mes: MesClient, spec: MonitorSpec, machine: Machine, live: Live | None) -> str | None:
    """The first detection that finds something on the machine now, over its history and ``live``."""
    for detection in spec.detections:
        tags = tags_of(detection, machine)
        if tags and find(detection, machine, {t: await mes.history(machine.id, t, detection.window_minutes)
                                              for t in tags}, live):
            return detection.name
    return None


async def pushed(followed: LiveTags, machine_id: str, names: list[str]) -> Live | None:
    """The machine's values once the server has pushed this step's change (waiting PUSH_WAIT_S at most)."""
    try:
        await asyncio.wait_for(followed.woke.wait(), PUSH_WAIT_S)
    except TimeoutError:
        pass  # nothing changed: the values pushed before still hold
    await asyncio.sleep(0.05)  # the rest of the same publication
    followed.changed()
    return followed.values(machine_id, names)


async def step_by_second(sim, spec: MonitorSpec, machine: Machine, plc: PlcClient, start: float,
                         seconds: int) -> tuple[float | None, float | None]:
    """From ``start``, one simulated second at a time: the onset (polled values) and the alert (pushed values,
    plus the wall seconds the push and the detection took), in simulated seconds; None when not seen."""
    names = sorted({t for d in spec.detections for t in tags_of(d, machine)})
    followed = LiveTags(plc, {machine.id: names})
    following = asyncio.create_task(followed.follow())
    onset = alert = None
    try:
        await asyncio.wait_for(_first_values(followed, machine.id, names), 30)
        async with MesClient.from_settings(sim) as mes:
            for second in range(1, seconds + 1):
                followed.changed()
                advance(sim, 1)
                moved = time.perf_counter()
                now = start + second
                if alert is None and await finds(mes, spec, machine, await pushed(followed, machine.id, names)):
                    alert = now + (time.perf_counter() - moved)
                if onset is None and await finds(mes, spec, machine, await live_of(plc, machine.id, names)):
                    onset = now
                if onset is not None and alert is not None:
                    break
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    return onset, alert


async def _first_values(followed: LiveTags, machine_id: str, names: list[str]) -> None:
    """Until the subscription has pushed every one of the machine's values once."""
    while followed.values(machine_id, names) is None:
        await asyncio.sleep(0.05)


async def live_of(plc: PlcClient, machine_id: str, names: list[str]) -> Live:
    """The machine's numeric tags polled from its PLC now."""
    return {n: float(v.value) for n, v in (await plc.read_many(machine_id, names)).items()
            if isinstance(v.value, int | float)}


async def subscribed_latency(work: Path, seed: int, fault: dict, spec: MonitorSpec, plant: Plant,
                             found_at: float) -> tuple[float, float] | None:
    """Replay a fault found at ``found_at`` up to one check before, then second by second: (alert - onset with
    subscriptions, alert - onset by polling every interval_s), in simulated seconds; None without an onset."""
    machine = plant.machines[fault["machine_id"]]
    start = max(found_at - spec.interval_s, 0.0)
    with running_simulator(work, seed=seed) as sim:
        httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).raise_for_status()
        for _ in range(int(start // spec.interval_s)):  # as the coarse run moved it: one check at a time
            advance(sim, spec.interval_s)
        async with open_plc(sim, plant, "opcua") as plc:
            onset, alert = await step_by_second(sim, spec, machine, plc, start, int(2 * spec.interval_s))
    if onset is None or alert is None:
        return None
    polled = -(-onset // spec.interval_s) * spec.interval_s  # the next check at or after the onset
    return alert - onset, polled - onset


@dataclass
class Figures:
    """What the runs showed: faults found of those injected, leads on the PLC's alarm, false alerts, and with
    ``--subscribe`` the seconds from onset to alert with subscriptions and by polling."""

    detected: int = 0
    runs: int = 0
    leads: list[float] = field(default_factory=list)
    false_alerts: int = 0
    normal_hours: float = 0.0
    subscribed: list[float] = field(default_factory=list)
    polled: list[float] = field(default_factory=list)
    unmeasured: int = 0


async def fault_run(tmp: Path, seed: int, fault: dict, plant: Plant, spec: MonitorSpec, args,
                    figures: Figures) -> None:
    """One fault on a fresh simulator: found or not, when, against the PLC's alarm; with ``--subscribe`` the
    onset-to-alert seconds of its replay."""
    kind, machine_id, severity = fault["kind"], fault["machine_id"], fault["severity"]
    with running_simulator(tmp / f"{seed}-{kind}-{machine_id}-{severity}", seed=seed) as sim:
        httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).raise_for_status()
        seen = await watch(sim, plant, spec, args.hours, machine_id)
    figures.runs += 1
    hit, alarm = seen["found"].get(machine_id), seen["alarms"].get(machine_id)
    figures.detected += hit is not None
    lead = (alarm[0] - hit[0]) / 60 if hit and alarm else None
    if lead is not None:
        figures.leads.append(lead)
    latency = ""
    if args.subscribe and hit:
        measured = await subscribed_latency(tmp / f"{seed}-{kind}-{machine_id}-{severity}-subscribed", seed, fault,
                                            spec, plant, hit[0])
        if measured is None:
            figures.unmeasured += 1
            latency = "onset not seen in the replay"
        else:
            figures.subscribed.append(measured[0])
            figures.polled.append(measured[1])
            latency = f"alert {measured[0]:.1f} s after onset subscribed ({measured[1]:.0f} s polled)"
    print(f"seed {seed} {kind:<22} {machine_id:<7} {severity:.1f}: "
          f"{f'found at {hit[0] / 60:5.0f} min ({hit[1]})' if hit else 'NOT FOUND':<46} "
          f"{f'PLC alarm at {alarm[0] / 60:5.0f} min ({alarm[1]})' if alarm else 'no PLC alarm':<36} "
          f"{f'lead {lead:+.0f} min' if lead is not None else ''} {latency}", flush=True)


def report(figures: Figures, started: float) -> None:
    """Print the figures of every run."""
    print(f"\nrecall: {figures.detected}/{figures.runs} injected faults found")
    leads = sorted(figures.leads)
    if leads:
        ahead = sum(lead > 0 for lead in leads)
        print(f"before the PLC's own alarm: {ahead}/{len(leads)} (where both happened); median lead "
              f"{leads[len(leads) // 2]:+.0f} min")
    print(f"false alerts: {figures.false_alerts / (figures.normal_hours / 24):.2f} per simulated day of normal "
          f"running")
    if figures.subscribed:
        sub, poll = sorted(figures.subscribed), sorted(figures.polled)
        print(f"onset to alert with subscriptions: median {sub[len(sub) // 2]:.1f} s, max {sub[-1]:.1f} s over "
              f"{len(sub)} faults ({sum(x <= 5 for x in sub)}/{len(sub)} within 5 s; {figures.unmeasured} not "
              f"measured); polling every interval: median {poll[len(poll) // 2]:.0f} s, max {poll[-1]:.0f} s")
    print(f"({time.perf_counter() - started:.0f} s)")


async def main() -> None:
    """Run each fault and a normal period on fresh simulators per seed; print what the monitor found,
    how soon, against the PLC alarms, and its false openings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=6.0, help="simulated hours after each fault is injected")
    parser.add_argument("--normal-hours", type=float, default=24.0, help="simulated hours with no fault")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--severities", type=float, nargs="+", default=SEVERITIES)
    parser.add_argument("--subscribe", action="store_true",
                        help="also measure onset to alert with the live tags followed by OPC UA subscription")
    args = parser.parse_args()
    logging.getLogger("asyncua").setLevel(logging.CRITICAL + 1)  # as the CLI: the connectors say it in one line
    settings = CopilotSettings()
    plant = load_plant(ROOT / "plants" / "riverside" / "plant.yaml")
    spec = MonitorSpec.load(settings.monitor_file, plant, Procedures.load(settings.procedures_file, TOOLS))
    figures, started = Figures(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            for kind, machine_id, extra in FAULTS:
                for severity in args.severities:
                    fault = {"kind": kind, "machine_id": machine_id, "severity": severity, **extra}
                    await fault_run(Path(tmp), seed, fault, plant, spec, args, figures)
        for seed in args.seeds:
            with running_simulator(Path(tmp) / f"normal-{seed}", seed=seed) as sim:
                seen = await watch(sim, plant, spec, args.normal_hours, None)
            figures.false_alerts += seen["openings"]
            figures.normal_hours += args.normal_hours
            print(f"seed {seed} normal running {args.normal_hours:g} h: {seen['openings']} alerts "
                  f"({', '.join(f'{m}: {d}' for m, (_, d) in seen['found'].items()) or 'none'})", flush=True)
    report(figures, started)


if __name__ == "__main__":
    asyncio.run(main())
