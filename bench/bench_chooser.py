"""How well one constrained call of the local model chooses a procedure and fills its slots.

    python bench/bench_chooser.py [--only WORD]

A labelled set of operator requests (paraphrases, other languages, relative and compound changes, requests
that must be asked back, greetings), each with the procedure it needs and the slots that must come out.
Each request goes through the same prompt and chooser call as the graph (copilot/agent/graph.py model_prompt,
copilot/procedures/chooser.py), with no plant running: only the model's choice is judged. Printed per
request: right or wrong, seconds, generated tokens, the choice; then accuracy and latency figures.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.agent.prompt import model_prompt  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.warmup import warm_up  # noqa: E402
from copilot.procedures.chooser import choice_names, chooser_messages  # noqa: E402
from copilot.procedures.spec import Procedures  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from tools.registry import TOOLS  # noqa: E402

ANSWER = "answer"
# (request, procedure or "answer", slots that must be as given; a None value: must be left out)
LABELLED: list[tuple[str, str, dict[str, Any]]] = [
    ("the cooling pump sounds rough, what's up with it?", "machine_status_and_diagnosis", {"machine": "P-101"}),
    ("Warum steht das Förderband CV-203?", "machine_status_and_diagnosis", {"machine": "CV-203"}),
    ("¿Cómo va el horno OV-201?", "machine_status_and_diagnosis", {"machine": "OV-201"}),
    ("what's the oil temperature on the press HP-102 at the moment", "machine_status_and_diagnosis",
     {"machine": "HP-102"}),
    ("get someone from maintenance to look at the filler FL-202, it's leaking", "report_to_maintenance",
     {"machine": "FL-202", "order_spare_parts": None}),
    ("P-101 rattles, check it and raise an urgent job for the fitters", "report_to_maintenance",
     {"machine": "P-101", "priority": "urgent"}),
    ("Ouvrez un ordre de travail pour la presse HP-102", "report_to_maintenance", {"machine": "HP-102"}),
    ("open a job for the conveyor CV-203 and buy whatever spares it is short of", "report_to_maintenance",
     {"machine": "CV-203", "order_spare_parts": True}),
    ("we're almost out of the 6205 bearings, get more in", "order_part", {"part": "BRG-6205", "quantity": None}),
    ("buy 12 NOZ-RF12 nozzles, whoever is greenest", "order_part",
     {"part": "NOZ-RF12", "quantity": 12, "preference": "carbon"}),
    ("Bestellen Sie 3 Dichtungen SEAL-M25 beim schnellsten Lieferanten", "order_part",
     {"part": "SEAL-M25", "quantity": 3, "preference": "lead_time"}),
    ("order some seals", "order_part", {"part": None}),
    ("how many GBX-BL40 gearboxes are on the shelf?", "inventory_check", {"part": "GBX-BL40"}),
    ("which spares are running low?", "inventory_check", {"low": True}),
    ("take the oven down to 172", "change_setpoints",
     {"machine": "OV-201", "changes": [{"tag": "temp_setpoint", "to": 172}]}),
    ("drop the press pressure by 15 bar", "change_setpoints",
     {"machine": "HP-102", "changes": [{"tag": "pressure_setpoint", "by": -15}]}),
    ("run the conveyor twenty percent faster", "change_setpoints",
     {"machine": "CV-203", "changes": [{"tag": "speed_setpoint", "percent": 20}]}),
    ("Baisse la température du fourneau OV-201 de 4 degrés", "change_setpoints",
     {"machine": "OV-201", "changes": [{"tag": "temp_setpoint", "by": -4}]}),
    ("IM-103: barrel temp to 235 and hold pressure down 20 bar", "change_setpoints",
     {"machine": "IM-103", "changes": [{"tag": "barrel_temp_setpoint", "to": 235},
                                       {"tag": "hold_pressure_setpoint", "by": -20}]}),
    ("change FL-202 to 95", "change_setpoints", {"machine": "FL-202", "changes": [{"tag": None, "to": 95}]}),
    ("shut the moulder IM-103 down, smoke from the heater", "start_or_stop_machine",
     {"machine": "IM-103", "command": "stop"}),
    ("start the filler again", "start_or_stop_machine", {"machine": "FL-202", "command": "start"}),
    ("log a check on OV-201: 120 parts, 3 with blisters", "record_inspection_result",
     {"machine": "OV-201", "inspected": 120, "defects": 3}),
    ("why is the scrap so high on the moulder?", "quality_report_review", {"machine": "IM-103"}),
    ("make the running coolant order the long-life red one", "change_production",
     {"colour": "red", "options": ["long_life"]}),
    ("bump PO-L1-0043 up to 900 pieces", "change_production", {"order": "PO-L1-0043", "quantity": 900}),
    ("what's line L1 producing right now?", "production_orders_progress", {"line": "L1"}),
    ("anything alarming in the plant?", "active_alarms_list", {}),
    ("any open jobs on the oven?", "open_work_orders_list", {"machine": "OV-201"}),
    ("what does the BL-40 manual say about belt tracking?", "search_manuals_lookup", {"machine": "CV-203"}),
    ("good morning!", ANSWER, {}),
    ("thanks, that's all for now", ANSWER, {}),
    ("Danke dir!", ANSWER, {}),
]


def _holds(want: Any, got: Any) -> bool:
    if want is None:
        return got in (None, [], "")
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(_holds(w, g) for w, g in zip(want, got))
    if isinstance(want, dict):
        return isinstance(got, dict) and all(_holds(v, got.get(k)) for k, v in want.items())
    if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(want, bool):
        return abs(want - got) < 1e-6
    return want == got


async def main() -> None:
    """Choose a procedure for each labelled request with the local model; print each choice, the
    share right and the time per choice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only requests containing this text")

    args = parser.parse_args()
    plant = ConnectorSettings().load_plant()
    procedures = Procedures.load(CopilotSettings().procedures_file, TOOLS)
    model = make_chat_model(LLMSettings(provider="local", model_dir=ROOT / "var" / "models"))
    prompt = model_prompt(plant, TOOLS, procedures, plan=True, shots=True)
    warmed = warm_up(model, prompt.system, prompt.tools, prompt.shots)
    print(f"prefix: {warmed.prefix_tokens} tokens, {warmed.how} in {warmed.seconds:.1f} s")
    bound, choices = model.bind_tools(prompt.tools), choice_names(procedures)
    seconds, tokens, right = [], [], 0
    chosen = [item for item in LABELLED if args.only in item[0]]
    for request, want, slots in chosen:
        start = time.perf_counter()
        reply = await bound.ainvoke(chooser_messages(prompt.head, [HumanMessage(request)], None, brief=True),
                                    allowed_tools=choices)
        seconds.append(time.perf_counter() - start)
        tokens.append((reply.usage_metadata or {}).get("output_tokens", 0))
        call = reply.tool_calls[0] if reply.tool_calls else None
        got = call["name"] if call else ANSWER
        args_ = call["args"] if call else {"text": reply.text}
        ok = got == want and (want == ANSWER or _holds(slots, args_))
        right += ok
        print(f"{'ok  ' if ok else 'MISS'} {seconds[-1]:5.1f} s {tokens[-1]:3d} tok  {request[:60]:<60} → {got} "
              f"{args_}", flush=True)
    p95 = sorted(seconds)[max(0, round(0.95 * len(seconds)) - 1)]
    print(f"\nright: {right}/{len(chosen)} ({right / len(chosen):.0%}); seconds mean {statistics.mean(seconds):.1f}, "
          f"p95 {p95:.1f}; generated tokens mean {statistics.mean(tokens):.0f}, max {max(tokens)}")


if __name__ == "__main__":
    asyncio.run(main())
