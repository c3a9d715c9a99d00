"""How well the monitor's detections find the simulator's faults, how early, and how often they cry wolf.

    python bench/bench_monitor.py [--hours 6] [--normal-hours 24] [--seeds 0 1]

Each fault kind is injected at several severities on the machines it applies to, on a fresh simulated plant
per seed (simulator/process.py, clock frozen and moved by the bench). Every `interval_s` of the monitor file
(config/monitor.yaml) the detections (copilot/monitor/detectors.py) read the historian exactly as the
monitor does. Printed per run: the first finding and when, the PLC's own first alarm on that machine and
when (a reading past its alarm limit), and the lead time (positive: the monitor was earlier). Then runs with
no fault: alerts opened per simulated day of normal running (a finding that stays is one alert).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from connectors.mes import MesClient  # noqa: E402
from connectors.plant import Plant, load_plant  # noqa: E402
from copilot.monitor.detectors import find, tags_of  # noqa: E402
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


async def main() -> None:
    """Run each fault and a normal period on fresh simulators per seed; print what the monitor found,
    how soon, against the PLC alarms, and its false openings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=6.0, help="simulated hours after each fault is injected")
    parser.add_argument("--normal-hours", type=float, default=24.0, help="simulated hours with no fault")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = parser.parse_args()
    settings = CopilotSettings()
    plant = load_plant(ROOT / "plants" / "riverside" / "plant.yaml")
    spec = MonitorSpec.load(settings.monitor_file, plant, Procedures.load(settings.procedures_file, TOOLS))
    detected, runs, leads = 0, 0, []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            for kind, machine_id, extra in FAULTS:
                for severity in SEVERITIES:
                    with running_simulator(Path(tmp) / f"{seed}-{kind}-{machine_id}-{severity}", seed=seed) as sim:
                        fault = {"kind": kind, "machine_id": machine_id, "severity": severity, **extra}
                        httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).raise_for_status()
                        seen = await watch(sim, plant, spec, args.hours, machine_id)
                    runs += 1
                    hit, alarm = seen["found"].get(machine_id), seen["alarms"].get(machine_id)
                    detected += hit is not None
                    lead = (alarm[0] - hit[0]) / 60 if hit and alarm else None
                    if lead is not None:
                        leads.append(lead)
                    print(f"seed {seed} {kind:<22} {machine_id:<7} {severity:.1f}: "
                          f"{f'found at {hit[0] / 60:5.0f} min ({hit[1]})' if hit else 'NOT FOUND':<46} "
                          f"{f'PLC alarm at {alarm[0] / 60:5.0f} min ({alarm[1]})' if alarm else 'no PLC alarm':<36} "
                          f"{f'lead {lead:+.0f} min' if lead is not None else ''}", flush=True)
        false_alerts, normal_hours = 0, 0.0
        for seed in args.seeds:
            with running_simulator(Path(tmp) / f"normal-{seed}", seed=seed) as sim:
                seen = await watch(sim, plant, spec, args.normal_hours, None)
            false_alerts += seen["openings"]
            normal_hours += args.normal_hours
            print(f"seed {seed} normal running {args.normal_hours:g} h: {seen['openings']} alerts "
                  f"({', '.join(f'{m}: {d}' for m, (_, d) in seen['found'].items()) or 'none'})", flush=True)
    print(f"\nrecall: {detected}/{runs} injected faults found")
    if leads:
        ahead = sum(lead > 0 for lead in leads)
        print(f"before the PLC's own alarm: {ahead}/{len(leads)} (where both happened); median lead "
              f"{sorted(leads)[len(leads) // 2]:+.0f} min")
    print(f"false alerts: {false_alerts / (normal_hours / 24):.2f} per simulated day of normal running")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
