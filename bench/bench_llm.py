"""Benchmark of the local model: checksum and load, prompt and generation speed, first-token latency, and
tool-choice accuracy with and without constrained output.

    python bench/bench_llm.py [--limit N] [--modes constrained free] [--threads N] [--max-tokens N]

What is measured, and how (printed with the figures):

1. The checksum of the 1.1 GB GGUF: a full sha256, and the check done before each load (a digest
   remembered for the file's size and mtime).
2. Loading the model with llama.cpp (weights mmap'ed; the first run after boot also reads the disk).
3. The real prefix: the copilot's system prompt (copilot/agent/prompts.py on plants/riverside/plant.yaml) and every tool
   of tools/registry.py in the constrained protocol. First-token latency is the time from the call to
   the first generated token, cold (empty KV cache: the whole prompt is evaluated, as on the first
   request after start without a warm-up) and warm (another request after the same prefix, as after
   ``warm_up``). Prompt tokens/s come from llama.cpp's own counters on the cold prompt; generation
   tokens/s from a 64-token answer, free and under the JSON grammar (grammar sampling costs time).
   Then the prefix's KV state is saved and restored as a new process would (copilot/llm/prefix_state.py).
4. Tool-choice accuracy on bench/data/tool_choice.yaml (at least 30 labelled operator requests): each
   request alone after the real prefix, through ``LocalChatModel.bind_tools(...).invoke``, with the
   output constrained to the reply schema and free (the same prompt; the first JSON object in the text
   is read). Per mode: right tool, right tool and labelled arguments, invalid replies, seconds/request.

Not here: the wall time of three multi-step scenarios. Those need the agent graph (copilot/agent/graph.py)
and the simulator, and belong with the agent's benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from langchain_core.messages import HumanMessage, SystemMessage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.plant import load_plant  # noqa: E402
from connectors.site import DEMO_SITE  # noqa: E402
from copilot.agent.prompts import system_prompt  # noqa: E402
from copilot.llm import llama_runtime  # noqa: E402
from copilot.llm.choice import choices, openai_tools  # noqa: E402
from copilot.llm.constrained import chat_messages, reply_schema  # noqa: E402
from copilot.llm.local import LocalChatModel  # noqa: E402
from copilot.llm.weights import QWEN25_CODER_1_5B, model_file, sha256_of  # noqa: E402
from tools.registry import TOOLS  # noqa: E402

REQUESTS = ROOT / "bench" / "data" / "tool_choice.yaml"
MODELS = ROOT / "var" / "models"


def main() -> None:
    """Parse the arguments; print the checksum times, the model's speeds and its tool-choice accuracy."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N labelled requests (0: none)")
    parser.add_argument("--modes", nargs="+", default=["constrained", "free"], choices=["constrained", "free"])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--max-tokens", type=int, default=160, help="per reply in the accuracy runs")
    args = parser.parse_args()

    print(f"model: {QWEN25_CODER_1_5B.file_name}, {args.threads} threads, llama.cpp via llama-cpp-python")
    checksum(MODELS)
    model = LocalChatModel(model_dir=MODELS, n_threads=args.threads, max_tokens=args.max_tokens)
    llm = model.loaded()
    print(f"load: {llm.load_s:.2f} s")

    system = system_prompt(load_plant(DEMO_SITE / "plant.yaml"))
    tools = [t.schema() for t in TOOLS.values()]
    speeds(llm, system, tools)
    accuracy(model, system, tools, args.modes, args.limit)


def checksum(models: Path) -> None:
    """Print how long a full sha256 of the GGUF takes, and the check done before each load."""
    path = model_file(QWEN25_CODER_1_5B, models)  # joins the parts on the first run
    start = time.perf_counter()
    sha256_of(path)
    full = time.perf_counter() - start
    start = time.perf_counter()
    model_file(QWEN25_CODER_1_5B, models)
    remembered = time.perf_counter() - start
    size = path.stat().st_size / 1e9
    print(f"checksum: full sha256 of {size:.2f} GB {full:.2f} s; check before load (remembered digest) "
          f"{remembered * 1000:.1f} ms")


def speeds(llm: llama_runtime.LoadedLlama, system: str, tools: list[dict[str, Any]]) -> None:
    """Print prompt and generation speed and first-token latency, with and without the grammar."""
    specs = openai_tools(tools)
    grammar = llama_runtime.grammar(json.dumps(reply_schema(choices(specs))))
    answer_only = llama_runtime.grammar(json.dumps(reply_schema(choices(specs, "none"))))

    def prompt(request: str) -> str:
        return llm.prompt(chat_messages([SystemMessage(system), HumanMessage(request)], specs))

    def first_token(request: str) -> tuple[float, llama_runtime.Usage]:
        usage = llama_runtime.Usage()
        start = time.perf_counter()
        arrivals = [time.perf_counter() - start
                    for _ in llm.complete(prompt(request), max_tokens=1, temperature=0.0, grammar=grammar, stop=[],
                                          usage=usage)]
        return arrivals[0], usage

    prefix = llm.prompt(chat_messages([SystemMessage(system)], specs), reply=False)
    prefix_tokens = len(llm.llama.tokenize(prefix.encode(), add_bos=False, special=True))
    print(f"prefix: system prompt + {len(specs)} tools = {prefix_tokens} tokens")

    llm.llama.reset()  # an empty KV cache: the first request after start, without a warm-up
    cold, usage = first_token("What is the vibration of P-101?")
    print(f"first token, cold: {cold:.2f} s ({usage.prompt_tokens} prompt tokens, none cached)")
    print(f"prompt: {usage.evaluated_prompt_tokens / usage.prompt_ms * 1000:.1f} tokens/s "
          f"({usage.evaluated_prompt_tokens} tokens in {usage.prompt_ms / 1000:.2f} s)")
    warm = [first_token(r) for r in ("Is the curing oven OV-201 running?", "How many BRG-6205 bearings are in stock?")]
    for seconds, usage in warm:
        print(f"first token, warm: {seconds:.2f} s ({usage.cached_tokens} of {usage.prompt_tokens} prompt tokens "
              f"cached, {usage.evaluated_prompt_tokens} evaluated)")

    with tempfile.TemporaryDirectory() as directory:  # what a new process does with the saved prefix state
        saved = Path(directory) / "prefix.kv"
        llm.warm(prefix, saved)
        llm.llama.reset()
        start = time.perf_counter()
        how = llm.warm(prefix, saved).how
        restored = time.perf_counter() - start
        seconds, usage = first_token("Are there open work orders on HP-102?")
        print(f"prefix state file: {saved.stat().st_size / 1e6:.1f} MB, {how} in {restored * 1000:.0f} ms; "
              f"first token after it: {seconds:.2f} s ({usage.evaluated_prompt_tokens} tokens evaluated)")

    request = prompt("Explain in detail how a centrifugal pump works and what wears first.")
    for label, g in (("free", None), ("JSON grammar", answer_only)):
        usage = llama_runtime.Usage()
        for _ in llm.complete(request, max_tokens=64, temperature=0.0, grammar=g, stop=[], usage=usage):
            pass
        rate = usage.completion_tokens / usage.generation_ms * 1000 if usage.generation_ms else float("nan")
        print(f"generation, {label}: {rate:.1f} tokens/s ({usage.completion_tokens} tokens)")


def accuracy(model: LocalChatModel, system: str, tools: list[dict[str, Any]], modes: list[str],
             limit: int | None) -> None:
    """Print, per mode, how often the model chose the labelled tool (and its arguments) for the first
    ``limit`` labelled requests, invalid replies, and seconds per request."""
    requests = yaml.safe_load(REQUESTS.read_text())["requests"][:limit]
    if not requests:
        return
    chats = {mode: model.model_copy(update={"constrained": mode == "constrained"}).bind_tools(tools) for mode in modes}
    results: dict[str, list[tuple[bool, bool, bool, float]]] = {mode: [] for mode in modes}
    misses: list[str] = []
    print(f"\ntool choice on {len(requests)} labelled requests ({REQUESTS.relative_to(ROOT)}):")
    print(f"{'request':<58} {'expected':<24} " + " ".join(f"{m:<24}" for m in modes))
    for item in requests:
        row = []
        for mode in modes:
            start = time.perf_counter()
            reply = chats[mode].invoke([SystemMessage(system), HumanMessage(item["text"])])
            seconds = time.perf_counter() - start
            got, arguments, invalid = _choice(reply)
            tool_ok = got == item["tool"]
            args_ok = tool_ok and _matches(item.get("args") or {}, arguments)
            results[mode].append((tool_ok, args_ok, invalid, seconds))
            if not args_ok:
                misses.append(f"{mode:>11}: {item['text'][:50]!r} expected {item['tool']} {item.get('args') or {}}, "
                              f"got {got} {json.dumps(arguments)}")
            row.append(f"{got + ('' if tool_ok else ' ✗') + ('' if args_ok or not tool_ok else ' (args)'):<24}")
        print(f"{item['text'][:57]:<58} {item['tool']:<24} " + " ".join(row), flush=True)
    print("\nmisses:\n" + "\n".join(misses) if misses else "\nno misses")
    print()
    for mode in modes:
        runs = results[mode]
        n = len(runs)
        print(f"{mode:>11}: tool {sum(r[0] for r in runs)}/{n} ({100 * sum(r[0] for r in runs) / n:.0f}%), "
              f"tool+args {sum(r[1] for r in runs)}/{n}, invalid replies {sum(r[2] for r in runs)}, "
              f"{statistics.mean(r[3] for r in runs):.1f} s/request "
              f"(median {statistics.median(r[3] for r in runs):.1f})")


def _choice(reply: Any) -> tuple[str, dict[str, Any], bool]:
    if reply.tool_calls:
        return reply.tool_calls[0]["name"], reply.tool_calls[0]["args"], False
    if reply.invalid_tool_calls:
        bad = reply.invalid_tool_calls[0]
        return "invalid", {"reason": bad["error"] or bad["args"]}, True
    return "answer", {}, False


def _matches(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    for key, want in expected.items():
        have = got.get(key)
        if isinstance(want, bool) or isinstance(have, bool):
            if have != want:
                return False
        elif isinstance(want, int | float):
            if not isinstance(have, int | float) or abs(have - want) > 1e-6:
                return False
        elif str(have).lower() != str(want).lower():
            return False
    return True


if __name__ == "__main__":
    main()
