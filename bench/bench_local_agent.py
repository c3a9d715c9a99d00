"""Wall time of four multi-step requests (one in German) driven by the real local model through the whole copilot.

    python bench/bench_local_agent.py [--threads N]

Each scenario runs on a fresh simulated plant (simulator/process.py, clock frozen, a fault planted) and a
fresh data dir, one ``Copilot.ask`` with Qwen2.5-Coder-1.5B on the CPU (the procedure chosen and filled in one
call, then its steps through the gate). Printed per scenario: wall time of the turn (the warm-up of the prompt
prefix is timed apart, once), how soon the operator sees the first step and what it was (the procedure chosen, the
request understood in English, or the first words of the answer), model calls, prompt tokens evaluated (not from the
cache) and generated, the tools that ran or wait, and whether the outcome is the expected one.
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
from langchain_core.messages import AIMessage  # noqa: E402

from copilot.identity.users import UserDirectory  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.service import Copilot  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from simulator.process import running_simulator  # noqa: E402
from twin.settings import TwinSettings  # noqa: E402

SCENARIOS = [
    # (name, fault planted, request, tools that must have run ("done") or wait for approval)
    ("vibration → work order", {"kind": "bearing_wear", "machine_id": "P-101", "severity": 0.8},
     "P-101 is vibrating, open a work order", {"machine_status": "done", "create_work_order": "done"}),
    ("low stock → purchase order", None,
     "Check the stock of bearing BRG-6205 and order 20 from the cheapest supplier",
     {"inventory": "done", "create_purchase_order": "waiting"}),
    ("oven drift → setpoint proposal", {"kind": "temp_controller_drift", "machine_id": "OV-201", "severity": 0.5},
     "OV-201 runs too hot; check it and lower temp_setpoint to 170",
     {"machine_status": "done", "write_setpoint": "waiting"}),
    ("German: oven 5 degrees down", {"kind": "temp_controller_drift", "machine_id": "OV-201", "severity": 0.5},
     "Der Ofen OV-201 ist zu heiß, senk die Temperatur um 5 Grad",
     {"machine_status": "done", "write_setpoint": "waiting"}),
]


async def run(name: str, fault: dict | None, request: str, expected: dict[str, str], model, work: Path) -> None:
    """One scenario on a fresh simulator with ``fault`` planted: ask ``request`` once and print the turn's time,
    first step, calls, tokens and whether the tools' outcome is ``expected``."""
    with running_simulator(work / "sim", seed=0, time_scale=0) as sim:
        if fault:
            httpx.post(f"{sim.sim_url}/faults", json=fault, timeout=10).raise_for_status()
            httpx.post(f"{sim.sim_url}/advance", json={"seconds": 600}, timeout=30).raise_for_status()
        olga = UserDirectory.load(CopilotSettings().users_file).get("olga")
        async with Copilot.open(model, settings=CopilotSettings(data_dir=work / "data"), connectors=sim,
                                twin=TwinSettings()) as copilot:
            start = time.perf_counter()
            steps, first = [], None
            async for step in copilot.ask(olga, request, thread_id="bench"):
                first = first if first is not None else (time.perf_counter() - start, step.kind)
                steps.append(step)
            wall = time.perf_counter() - start
            replies = [m for m in await copilot.runs.messages("bench") if isinstance(m, AIMessage)]
    evaluated = sum((m.usage_metadata or {}).get("input_tokens", 0)
                    - (m.usage_metadata or {}).get("input_token_details", {}).get("cache_read", 0) for m in replies)
    generated = sum((m.usage_metadata or {}).get("output_tokens", 0) for m in replies)
    outcome = {s.tool: s.status for s in steps if s.kind == "result"}
    outcome |= {s.tool: "waiting" for s in steps if s.kind == "waiting"}
    ok = all(outcome.get(tool) == status for tool, status in expected.items())
    ran = ", ".join(f"{t}:{s}" for t, s in outcome.items())
    print(f"{name:<32} {wall:7.1f} s  first step {first[0]:4.1f} s ({first[1]:<9})  {len(replies):2d} calls  "
          f"{evaluated:5d} prompt tok  {generated:4d} gen tok  {'ok  ' if ok else 'MISS'}  {ran}", flush=True)


async def main() -> None:
    """Load the local model, warm its prompt prefix, and run every scenario in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    settings = LLMSettings(provider="local", model_dir=ROOT / "var" / "models")
    if args.threads:
        settings = settings.model_copy(update={"n_threads": args.threads})
    model = make_chat_model(settings)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        await run(*SCENARIOS[0], model, Path(tmp) / "0")  # the first also loads and warms the model
        print(f"(first scenario including load and prefix warm-up: {time.perf_counter() - start:.1f} s)")
        for i, scenario in enumerate(SCENARIOS[1:], 1):
            await run(*scenario, model, Path(tmp) / str(i))


if __name__ == "__main__":
    asyncio.run(main())
