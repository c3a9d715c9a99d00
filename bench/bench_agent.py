"""The agent graph's own overhead per step, next to LangGraph's prebuilt ReAct agent on the same tools.

Both run the same scripted model (no LLM time) and the same tools over the same
connectors to a simulator on loopback; ours adds the policy gate, the audit log,
the execution ledger and its SQLite checkpointer. Prints ms per step and the ratio.

    python bench/bench_agent.py [--steps 24] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from langchain_core.messages import HumanMessage
from langchain_core.tools import StructuredTool
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.prebuilt import create_react_agent

from copilot.identity.users import UserDirectory
from copilot.llm.scripted import ScriptedChatModel, ScriptedReply
from copilot.service import Copilot
from copilot.settings import CopilotSettings
from simulator.process import running_simulator
from tools.base import Call, Tool
from tools.deps import Deps
from tools.registry import TOOLS
from twin.settings import TwinSettings

MACHINES = ["P-101", "HP-102", "IM-103", "OV-201", "FL-202", "CV-203"]


def scenario(steps: int) -> list[ScriptedReply]:
    """``steps`` distinct read calls, one per model reply, then an answer."""
    calls = [{"name": "machine_status", "args": {"machine_id": m}} for m in MACHINES]
    calls += [{"name": "tag_history", "args": {"machine_id": "P-101", "tag": "vibration", "minutes": i + 1}}
              for i in range(steps - len(calls))]
    return [ScriptedReply(tool_calls=[c]) for c in calls[:steps]] + [ScriptedReply(content="done")]


def as_langchain(tool: Tool, deps: Deps) -> StructuredTool:
    """The tool as a LangChain tool that runs it over ``deps`` as the bench user, for the prebuilt agent."""
    async def run(**kwargs):
        result = await tool.run(deps, tool.args.model_validate(kwargs), Call("bench", "bench"))
        return result.model_dump_json() if hasattr(result, "model_dump_json") else str(result)

    return StructuredTool.from_function(coroutine=run, name=tool.name, description=tool.description,
                                        args_schema=tool.args)


async def prebuilt(deps: Deps, work: Path, steps: int, runs: int) -> list[float]:
    """Seconds per step of LangGraph's prebuilt ReAct agent over ``steps`` scripted calls, ``runs`` runs after
    one warm-up."""
    model = ScriptedChatModel(replies=scenario(steps))
    tools = [as_langchain(t, deps) for t in TOOLS.values()]
    per_step = []
    async with AsyncSqliteSaver.from_conn_string(str(work / "react.sqlite")) as saver:
        warnings.filterwarnings("ignore", message=".*create_react_agent.*")  # it is the yardstick asked for
        agent = create_react_agent(model, tools, checkpointer=saver)
        for run in range(runs + 1):
            start = time.perf_counter()
            out = await agent.ainvoke({"messages": [HumanMessage("check the plant")]},
                                      {"configurable": {"thread_id": f"react-{run}"}, "recursion_limit": 4 * steps})
            elapsed = time.perf_counter() - start
            assert sum(m.type == "tool" for m in out["messages"]) == steps
            if run:
                per_step.append(elapsed / steps)
    return per_step


async def main(steps: int, runs: int) -> None:
    """Compare the copilot's gated graph with the prebuilt agent on the same scripted calls; print both."""
    with tempfile.TemporaryDirectory() as tmp, running_simulator(Path(tmp) / "sim") as sim:
        work = Path(tmp)
        settings = CopilotSettings(data_dir=work / "ours", max_steps_per_turn=steps + 2,
                                   max_tool_calls_per_turn=steps + 2)
        model = ScriptedChatModel(replies=scenario(steps))
        olga = UserDirectory.load(settings.users_file).get("olga")
        gated: list[float] = []
        async with Copilot.open(model, settings=settings, connectors=sim, twin=TwinSettings()) as copilot:
            for run in range(runs + 1):
                start = time.perf_counter()
                taken = [s async for s in copilot.ask(olga, "check the plant", thread_id=f"ours-{run}")]
                elapsed = time.perf_counter() - start
                assert sum(s.kind == "result" and s.status == "done" for s in taken) == steps, taken[-3:]
                if run:  # the first run warms connections and caches
                    gated.append(elapsed / steps)
            react = await prebuilt(copilot.rt.deps, work, steps, runs)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"steps per run {steps}, runs {runs} (after one warm-up), scripted model, simulator on loopback")
    print(f"plant-copilot graph (gate, audit, ledger, SQLite checkpoints): {ms(gated):7.2f} ms/step (median)")
    print(f"LangGraph prebuilt ReAct agent (no gate, SQLite checkpoints):  {ms(react):7.2f} ms/step (median)")
    print(f"ratio ours / prebuilt: {ms(gated) / ms(react):.2f}x  (overhead {ms(gated) - ms(react):+.2f} ms/step)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.steps, args.runs))
