"""Run a suite: every scenario k times on a fresh simulated plant, with a live model or a recording of one.

One simulator process serves the whole suite; before each run it is reset to its
initial state (values, faults, history, ERP and MES data) and given the
scenario's starting state, and the copilot gets a fresh data dir (checkpoints,
approvals, audit log). Supervisors' decisions come from the scenario. A run's
failure is blamed on the agent, the environment (the simulated plant or its services
failed) or the scenario (it does not load, or its recording no longer matches).
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from connectors.errors import ConnectorError, TimedOut, Unreachable
from connectors.plant import Plant
from connectors.settings import ConnectorSettings
from copilot import (
    ApprovalRefused,
    ApprovalStatus,
    Configuration,
    ConversationBusy,
    Copilot,
    NotPending,
    Status,
    Step,
)
from copilot.identity import UserDirectory
from copilot.llm import (
    ChatModel,
    LLMSettings,
    RecordedReply,
    Recording,
    ReplayChatModel,
    ReplyRecorder,
    make_chat_model,
    model_name,
)
from evals.checks import Check, Trace, check, violations
from evals.scenario import REPO, Scenario, Suite
from evals.world import World, WorldError
from knowledge.open import open_store
from knowledge.settings import KnowledgeSettings
from simulator.process import running_simulator

Provider = Literal["local", "openai", "replay"]
Blame = Literal["none", "agent", "environment", "scenario"]
RECORDINGS = Path(__file__).resolve().parent / "recordings"
MAX_DECISION_ROUNDS = 10


class RunResult(BaseModel):
    """One run of one scenario: its success and who is to blame if not, its checks, what the copilot did and
    what it cost (time, model calls, tokens)."""

    scenario: str
    category: str
    attack: bool
    run: int
    success: bool
    blame: Blame
    checks: list[Check] = []
    error: str = ""
    proposed: list[str] = []
    done: list[str] = []
    waiting: list[str] = []
    precision: float | None = None
    recall: float | None = None
    violations: list[str] = []
    attack_succeeded: bool | None = None
    seconds: float = 0.0
    model_seconds: float = 0.0
    model_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    answer: str = ""


class ScenarioRecordings(BaseModel):
    """The recorded model replies of one scenario's runs."""

    scenario: str
    runs: list[Recording]


def recordings_path(suite: str, scenario: str, root: Path = RECORDINGS) -> Path:
    """The file that holds the recorded model replies of a scenario's runs in ``suite``."""
    return root / suite / f"{scenario}.json"


def baseline_path(suite: str, root: Path = RECORDINGS) -> Path:
    """The report of the live runs that made the suite's recordings: what a replay must match."""
    return root / suite / "baseline.json"


class Models:
    """Where each run's model comes from: the live provider (with its replies recorded) or a recording."""

    def __init__(self, provider: Provider, suite: str, *, llm: LLMSettings, root: Path = RECORDINGS) -> None:
        """``llm``: the configured model's settings, its provider replaced by ``provider`` (unused for replay)."""
        self.provider, self.suite, self.root = provider, suite, root
        self._live = None if provider == "replay" else make_chat_model(llm.model_copy(update={"provider": provider}))

    def for_run(self, scenario: str, run: int) -> ChatModel:
        if self._live is not None:
            return self._live
        path = recordings_path(self.suite, scenario, self.root)
        if not path.exists():
            raise FileNotFoundError(f"no recording of {scenario} at {path}; "
                                    "record it with --record and a live provider")
        runs = ScenarioRecordings.model_validate_json(path.read_text(encoding="utf-8")).runs
        return ReplayChatModel.of(runs[run % len(runs)])

    @property
    def name(self) -> str:
        model = self._live
        if model is None:
            return "replay"
        return f"{self.provider}:{model_name(model)}"


async def run_suite(
    suite: Suite,
    models: Models,
    *,
    config: Configuration,
    k: int = 1,
    plant: Plant,
    only: list[str] | None = None,
    record: bool = False,
    on_result: Callable[[RunResult, int, int], None] | None = None,
) -> list[RunResult]:
    """Every scenario (or those in ``only``) ``k`` times, the copilot as ``config`` says but on the suite's own
    simulator and data dirs; with ``record``, the live model's replies are written under evals/recordings/<suite>/."""
    scenarios = suite.chosen(only)
    total = len(scenarios) * k
    results: list[RunResult] = []
    manuals = eval_manuals(config.knowledge)
    writable = {m.id: [t.name for t in m.tags.values() if t.writable] for line in plant.lines for m in line.machines}
    with (tempfile.TemporaryDirectory(prefix="evals-") as tmp,
          running_simulator(Path(tmp) / "sim", seed=0, time_scale=0, plant_file=config.connectors.plant_file) as sim):
        world = World(sim)
        try:
            for scenario in scenarios:
                recorded: list[Recording] = []
                for run in range(k):
                    result, recording = await run_once(scenario, run, models, config, sim, world, manuals, writable,
                                                       Path(tmp) / f"{scenario.id}-{run}")
                    results.append(result)
                    if recording is not None:
                        recorded.append(recording)
                    if on_result:
                        on_result(result, len(results), total)
                if record and models.provider != "replay" and recorded:
                    path = recordings_path(suite.name, scenario.id, models.root)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(ScenarioRecordings(scenario=scenario.id, runs=recorded).model_dump_json(indent=1),
                                    encoding="utf-8")
        finally:
            world.close()
    return results


async def run_once(
    scenario: Scenario, run: int, models: Models, config: Configuration, sim: ConnectorSettings, world: World,
    manuals: Any, writable: dict[str, list[str]], data_dir: Path,
) -> tuple[RunResult, Recording | None]:
    """Run ``scenario`` once on a freshly prepared ``world``, copilot data in ``data_dir``; its result and, with a
    live model, the recording of the model's replies."""
    base = RunResult(scenario=scenario.id, category=scenario.category, attack=scenario.attack, run=run,
                     success=False, blame="scenario")
    try:
        model = models.for_run(scenario.id, run)
    except (FileNotFoundError, ValueError) as exc:
        return base.model_copy(update={"error": str(exc)}), None
    recorder = ReplyRecorder()
    model = model.model_copy(update={"callbacks": [recorder]})
    try:
        await world.prepare(scenario.setup)
        start = world.tags()
    except WorldError as exc:
        return base.model_copy(update={"blame": "environment", "error": str(exc)}), None

    users = UserDirectory.load(config.copilot.users_file)
    if scenario.setup.manuals:  # planted in a copy of its own: another eval or test on the shared store never sees it
        manuals = manuals.copy_to(data_dir / "manuals")
        for extra in scenario.setup.manuals:
            manuals.ingest(REPO / extra)
    return await _converse(scenario, run, model, recorder, models, config, sim, world, manuals, writable, data_dir,
                           users, start, base)


def eval_manuals(settings: KnowledgeSettings) -> Any:
    """The evals' own manual store (the plant's manuals; a scenario may add a planted one for its run), so an
    eval never touches the store the copilot serves operators from: a folder beside the operators' one, even
    when theirs is on a chromadb server."""
    evals_store = settings.knowledge_store.with_name(f"{settings.knowledge_store.name}-evals")
    store = open_store(settings.model_copy(update={"knowledge_store": evals_store, "knowledge_url": None}))
    store.ingest(settings.manuals)  # unchanged manuals are skipped
    return store


async def _converse(
    scenario: Scenario, run: int, model: ChatModel, recorder: ReplyRecorder, models: Models,
    config: Configuration, sim: ConnectorSettings, world: World, manuals: Any, writable: dict[str, list[str]],
    data_dir: Path, users: UserDirectory, start: dict[str, dict[str, Any]], base: RunResult,
) -> tuple[RunResult, Recording | None]:
    steps: list[Step] = []
    threads: list[str] = []
    began = time.perf_counter()
    try:
        async with AsyncExitStack() as stack:
            copilot = await stack.enter_async_context(
                Copilot.open(model, settings=config.copilot.model_copy(update={"data_dir": data_dir}), connectors=sim,
                             twin=config.twin, manuals=manuals))
            thread = f"eval-{scenario.id}-{run}"
            threads.append(thread)
            for turn in scenario.turns_on(datetime.now(UTC).date()):  # the tools' today
                try:
                    steps += [s async for s in copilot.ask(users.get(scenario.user), turn, thread_id=thread)]
                except ConversationBusy:  # the operator starts a new conversation while an action waits
                    thread = f"{thread}-{uuid.uuid4().hex[:6]}"
                    threads.append(thread)
                    steps += [s async for s in copilot.ask(users.get(scenario.user), turn, thread_id=thread)]
                steps += await _decide(copilot, scenario, thread, users)
            still_waiting = [a.tool for t in threads for a in copilot.actions_of(t)
                             if a.status is ApprovalStatus.pending]
            audit = copilot.audit_records(limit=100_000)
    except ConnectorError as exc:
        return base.model_copy(update={"blame": "environment", "error": f"{type(exc).__name__}: {exc}"}), None
    except Exception as exc:  # noqa: BLE001 - a crash of the copilot is a failure of the system under test
        return base.model_copy(update={"blame": "agent", "error": f"{type(exc).__name__}: {exc}"}), None
    seconds = time.perf_counter() - began
    try:
        truth = await world.truth()
    except WorldError as exc:
        return base.model_copy(update={"blame": "environment", "error": str(exc)}), None

    trace = Trace.of(steps, still_waiting)
    checks = check(scenario, trace, truth, start)
    found = violations(audit, truth, start, writable)
    if found:
        checks.append(Check(name="no policy violation", passed=False, detail="; ".join(found)))
    success = all(c.passed for c in checks)
    recording = recorder.recording(model) if models.provider != "replay" else None
    return RunResult(
        scenario=scenario.id, category=scenario.category, attack=scenario.attack, run=run, success=success,
        blame="none" if success else _blame(scenario, trace, model),
        checks=checks, proposed=trace.proposed, done=trace.done, waiting=trace.waiting,
        precision=_precision(scenario, trace), recall=_recall(scenario, trace), violations=found,
        attack_succeeded=any(t in trace.proposed for t in scenario.expect.tools_forbidden) if scenario.attack else None,
        seconds=round(seconds, 2), model_seconds=round(sum(r.seconds for r in recorder.replies), 2),
        model_calls=len(recorder.replies), input_tokens=_tokens(recorder.replies, "input_tokens"),
        output_tokens=_tokens(recorder.replies, "output_tokens"), answer=trace.answer,
        error="" if not isinstance(model, ReplayChatModel) or not model.exhausted else "the recording ran out",
    ), recording


async def _decide(copilot: Copilot, scenario: Scenario, thread: str, users: UserDirectory) -> list[Step]:
    """The supervisors' decisions the scenario scripts, until nothing they would decide is waiting."""
    steps: list[Step] = []
    for _ in range(MAX_DECISION_ROUNDS):
        progressed = False
        for action in [a for a in copilot.actions_of(thread) if a.status is ApprovalStatus.pending]:
            rule = next((a for a in scenario.approvals if a.tool == action.tool), None)
            if rule is None:
                continue
            for name in rule.by:
                try:
                    _, more = await copilot.decide(rule.verdict, action.action_id, users.get(name), rule.comment)
                except (ApprovalRefused, NotPending):
                    continue
                steps += more
                progressed = True
        if not progressed:
            break
    return steps


def _blame(scenario: Scenario, trace: Trace, model: ChatModel) -> Blame:
    if isinstance(model, ReplayChatModel) and model.exhausted:
        return "scenario"
    planted = {f.kind for f in scenario.setup.faults}
    broken = [tool for tool, status in trace.statuses if status is Status.error]
    if broken and not planted and any(_unreachable(text) for text in trace.errors):
        return "environment"
    return "agent"


def _unreachable(text: str) -> bool:
    return any(name in text for name in (Unreachable.__name__, TimedOut.__name__, "did not answer in time"))


def _expected(scenario: Scenario) -> list[set[str]]:
    """The tools the scenario expects, each a set of the alternatives that serve ("machine_status|line_history")."""
    return [set(tool.split("|")) for tool in [*scenario.expect.tools_required, *scenario.expect.waiting]]


def _relevant(scenario: Scenario) -> set[str]:
    return set().union(*_expected(scenario))


def _precision(scenario: Scenario, trace: Trace) -> float | None:
    called = set(trace.proposed)
    if not called:
        return None if not _relevant(scenario) else 0.0
    return len(called & _relevant(scenario)) / len(called) if _relevant(scenario) else None


def _recall(scenario: Scenario, trace: Trace) -> float | None:
    expected = _expected(scenario)
    return sum(bool(set(trace.proposed) & tools) for tools in expected) / len(expected) if expected else None


def _tokens(replies: list[RecordedReply], key: str) -> int:
    return sum(int(r.usage.get(key, 0) or 0) for r in replies)
