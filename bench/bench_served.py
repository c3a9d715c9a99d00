"""Does a served model decode several conversations at once? The chooser's calls one after another, then two
at a time, against the endpoint the settings name.

    COPILOT_BASE_URL=http://127.0.0.1:8000/v1 COPILOT_MODEL=NAME COPILOT_TOOL_CALL_MODE=constrained \\
        COPILOT_EXTRA_BODY='{"repeat_penalty": 1.0}' python bench/bench_served.py [-n 6]

Each request goes through the graph's prompt and chooser call (copilot/agent/graph.py model_prompt,
copilot/procedures/chooser.py) after one warm-up. Printed: the wall time of ``n`` requests in a row and in
pairs, each request's latency, and the ratio; a server that decodes two at once finishes the pairs in well
under the time of the row, one that queues them in about the same.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from bench.bench_chooser import LABELLED  # noqa: E402
from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.agent.prompt import model_prompt  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.warmup import warm_up  # noqa: E402
from copilot.procedures.chooser import choice_names, chooser_messages  # noqa: E402
from copilot.procedures.spec import Procedures  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from tools.registry import TOOLS  # noqa: E402


async def main() -> None:
    """Send the chooser's calls to the served model in a row, then two at a time; print both wall times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=6, help="requests per round (even)")
    args = parser.parse_args()
    plant = ConnectorSettings().load_plant()
    procedures = Procedures.load(CopilotSettings().procedures_file, TOOLS)
    model = make_chat_model(LLMSettings(provider="openai"))
    prompt = model_prompt(plant, TOOLS, procedures, plan=True, shots=True)
    warmed = warm_up(model, prompt.system, prompt.tools, prompt.shots)
    print(f"prefix: {warmed.prefix_tokens} tokens, {warmed.how} in {warmed.seconds:.1f} s")
    bound, choices = model.bind_tools(prompt.tools), choice_names(procedures)
    requests = [request for request, _, _ in LABELLED][: args.n]

    async def one(request: str) -> float:
        start = time.perf_counter()
        reply = await bound.ainvoke(chooser_messages(prompt.head, [HumanMessage(request)], None, brief=True),
                                    allowed_tools=choices)
        seconds = time.perf_counter() - start
        got = reply.tool_calls[0]["name"] if reply.tool_calls else "invalid" if reply.invalid_tool_calls else "answer"
        print(f"  {seconds:5.1f} s  {request[:60]:<60} → {got}", flush=True)
        return seconds

    print("one after another:")
    start = time.perf_counter()
    row = [await one(r) for r in requests]
    row_wall = time.perf_counter() - start
    print("two at a time:")
    start = time.perf_counter()
    paired: list[float] = []
    for i in range(0, len(requests), 2):
        paired += await asyncio.gather(*(one(r) for r in requests[i : i + 2]))
    pairs_wall = time.perf_counter() - start
    print(f"\n{len(requests)} requests: in a row {row_wall:.1f} s (latency mean {statistics.mean(row):.1f} s), "
          f"two at a time {pairs_wall:.1f} s (latency mean {statistics.mean(paired):.1f} s); "
          f"pairs / row = {pairs_wall / row_wall:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
