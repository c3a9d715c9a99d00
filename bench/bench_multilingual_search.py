"""Manual search for questions in German, French and Spanish: as asked, and restated by the chooser.

    python bench/bench_multilingual_search.py

The manuals are English and the embedder (all-MiniLM-L6-v2) is English-only. As the graph does, the request is
first restated in English by the model, then a procedure chosen from it; one that searches the manuals
(machine_status_and_diagnosis, search_manuals_lookup, quality_report_review) searches with the text slot the
model filled in English, and the machine it named. This runs 20 of the labelled retrieval questions,
translated (bench/data/retrieval_questions_translated.yaml), through the real chooser call of the local model
and the manual store, and prints recall@5 for the question searched as it is and as the procedure searches it
(a choice of a procedure that does not search counts as a miss).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from langchain_core.messages import HumanMessage  # noqa: E402

from connectors.settings import ConnectorSettings  # noqa: E402
from copilot.agent.prompt import model_prompt  # noqa: E402
from copilot.llm.factory import make_chat_model  # noqa: E402
from copilot.llm.settings import LLMSettings  # noqa: E402
from copilot.llm.warmup import warm_up  # noqa: E402
from copilot.procedures.answer import faithful, restating_request  # noqa: E402
from copilot.procedures.chooser import choice_names, chooser_messages  # noqa: E402
from copilot.procedures.spec import Procedures, StepKind  # noqa: E402
from copilot.settings import CopilotSettings  # noqa: E402
from knowledge.embeddings import MiniLmEmbedder  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from knowledge.store import ManualStore, Passage  # noqa: E402
from tools.registry import TOOLS  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "data" / "retrieval_questions_translated.yaml"


def answers(passage: Passage, question: dict) -> bool:
    """Whether the passage is from the question's document and one of its expected sections."""
    return passage.document == question["document"] and any(
        (passage.section or "").split(" ")[0] == section for section in question["sections"])


def search_of(procedures: Procedures, name: str, slots: dict) -> tuple[str, str | None] | None:
    """The query and machine the chosen procedure would search the manuals with, if it searches."""
    procedure = procedures.get(name)
    step = next((s for s in procedure.steps if s.kind is StepKind.read and s.target == "search_manuals"), None) \
        if procedure else None
    if step is None:
        return None
    query = slots.get(str(step.args.get("query", "")).removeprefix("$"))
    machine = slots.get(str(step.args.get("machine_id", "")).removeprefix("$"))
    return (query, machine) if query else None


async def main() -> None:
    """Search each translated question as asked and as the chooser restates it; print recall@5 of both."""
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    plant = ConnectorSettings().load_plant()
    procedures = Procedures.load(CopilotSettings().procedures_file, TOOLS)
    model = make_chat_model(LLMSettings(provider="local", model_dir=ROOT / "var" / "models"))
    prompt = model_prompt(plant, TOOLS, procedures, plan=True, shots=True)
    warm_up(model, prompt.system, prompt.tools, prompt.shots)
    bound, choices = model.bind_tools(prompt.tools), choice_names(procedures)
    with tempfile.TemporaryDirectory() as tmp:
        store = ManualStore(Path(tmp), MiniLmEmbedder())
        store.ingest(KnowledgeSettings().manuals)
        raw = restated = 0
        for q in questions:
            raw_hit = any(answers(p, q) for p in store.search(q["q"], 5))
            said = await bound.ainvoke([*prompt.head, restating_request(q["q"], q["lang"])], tool_choice="none")
            english = said.text if faithful(said.text, q["q"]) else None  # as the graph does first
            reply = await bound.ainvoke(chooser_messages(prompt.head, [HumanMessage(q["q"])], None, brief=True,
                                                         english=english), allowed_tools=choices)
            call = reply.tool_calls[0] if reply.tool_calls else None
            how = search_of(procedures, call["name"], call["args"]) if call else None
            hit = False
            if how is not None:
                model_name = plant.machine(how[1]).model if how[1] else None
                hit = any(answers(p, q) for p in store.search(how[0], 5, machine_model=model_name))
            raw, restated = raw + raw_hit, restated + hit
            chosen = f"{call['name']}: {how}" if call else "answer"
            print(f"{q['lang']} raw {'hit ' if raw_hit else 'miss'} restated {'hit ' if hit else 'miss'}  "
                  f"{q['q'][:60]:<60} → {chosen}", flush=True)
    n = len(questions)
    print(f"\nrecall@5 over {n} translated questions: as asked {raw / n:.2f}, "
          f"restated by the chooser {restated / n:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
