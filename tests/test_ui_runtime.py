"""The app's runtime: one loop for every session; long opening work reports progress; work survives its reader."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from ui_helpers import PUMP_MANUAL, app_env, clear_app_caches, environment, pump_manual_store, session, user

from copilot.llm.scripted import ScriptedChatModel, ScriptedReply
from copilot.settings import CopilotSettings
from knowledge.settings import KnowledgeSettings
from twin.settings import TwinSettings
from ui import shared
from ui.runtime import AppRuntime


def scripted() -> ScriptedChatModel:
    time.sleep(0.5)  # a model takes a while to load
    return ScriptedChatModel(replies=[ScriptedReply(content="hello")])


@pytest.fixture
def runtime(sim, tmp_path):
    """A runtime whose manuals store is empty, with one manual to ingest."""
    manuals = tmp_path / "manuals"
    manuals.mkdir()
    shutil.copy(PUMP_MANUAL, manuals)
    rt = AppRuntime(scripted, connectors=sim, settings=CopilotSettings(data_dir=tmp_path / "data"),
                    knowledge=KnowledgeSettings(knowledge_store=tmp_path / "store"), twin=TwinSettings(),
                    manuals_dir=manuals)
    yield rt
    rt.close()


def test_opening_ingests_an_empty_store_loads_the_model_and_says_so(runtime):
    runtime.ready.result(timeout=120)
    log = runtime.progress.log
    assert log[0] == "opening the manuals store"
    assert "ingesting 1 manuals" in log and "ingested aquaflow-cp80.md (added)" in log
    assert any(p.startswith("loading the model") for p in log)
    assert (runtime.progress.phase, runtime.progress.fraction) == ("ready", 1.0)
    assert runtime.manuals.chunk_count() > 0


def test_a_stream_runs_to_its_end_even_when_its_reader_stops(runtime):
    produced: list[int] = []

    async def steps():
        for i in range(3):
            await asyncio.sleep(0.05)
            produced.append(i)
            yield i

    for item in runtime.stream(steps(), timeout=10):
        assert item == 0
        break  # the page reran: nobody reads any more
    deadline = time.monotonic() + 5
    while len(produced) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert produced == [0, 1, 2]


def test_a_call_that_times_out_goes_on_in_the_background(runtime):
    """The caller stops waiting; the coroutine is not cancelled and finishes when it can. No clock is raced: the
    coroutine is held until the caller has timed out, then released, and its end is awaited with a deadline."""
    release = threading.Event()
    decided = threading.Event()

    async def slow():
        while not release.is_set():
            await asyncio.sleep(0.01)
        decided.set()

    with pytest.raises(TimeoutError):
        runtime.call(slow(), timeout=0.05)
    release.set()
    assert decided.wait(timeout=60), "the call stopped when its caller stopped waiting"


def test_a_copilot_that_cannot_start_is_shown_on_the_page_and_can_be_retried(sim, tmp_path, monkeypatch):
    def broken(settings):
        raise RuntimeError("model weights are not installed")

    monkeypatch.setattr(shared, "_make_model", broken)
    with environment(app_env(sim, tmp_path / "data", pump_manual_store(tmp_path), [])):
        clear_app_caches()  # read once per process: this test's environment is read anew
        try:
            at = session("olga")
            assert not at.exception
            assert [e.value for e in at.error] == ["The copilot could not start: model weights are not installed"]
            failed = shared.get_runtime()

            monkeypatch.setattr(shared, "_make_model", lambda settings: scripted())  # the weights are installed now
            [retry] = [b for b in at.button if b.label == "Try again"]
            retry.click().run()
            assert not at.error and at.chat_input  # a new runtime opened; the failed one was closed
            assert shared.get_runtime() is not failed and not failed.loop.is_running()
        finally:
            clear_app_caches()


class SlowModel(ScriptedChatModel):
    """Answers after a pause, counting how many turns run it at once (an embedded model must see one)."""

    running: list[int] = [0]
    most: list[int] = [0]

    def _generate(self, messages, stop=None, run_manager=None, **kw):
        self.running[0] += 1
        self.most[0] = max(self.most[0], self.running[0])
        try:
            time.sleep(0.3)
            return super()._generate(messages, stop, run_manager, **kw)
        finally:
            self.running[0] -= 1


def test_an_embedded_model_takes_one_turn_at_a_time_across_sessions(sim, tmp_path):
    model = SlowModel(replies=[ScriptedReply(content="hello")])
    rt = AppRuntime(lambda: model, connectors=sim, settings=CopilotSettings(data_dir=tmp_path / "data"),
                    knowledge=KnowledgeSettings(knowledge_store=tmp_path / "store"), twin=TwinSettings(),
                    manuals_dir=None, one_turn_at_a_time=True)
    try:
        rt.ready.result(timeout=60)
        olga, omar = user("olga"), user("omar")
        with ThreadPoolExecutor(2) as pool:  # two sessions' script threads
            turns = [pool.submit(lambda who=who: list(rt.stream(rt.ask(who, "hi", f"t-{who.username}"), timeout=30)))
                     for who in (olga, omar)]
            answers = [[s.text for s in t.result(timeout=60) if s.kind == "answer"] for t in turns]
        assert answers == [["hello"], ["hello"]]
        assert model.most == [1]
    finally:
        rt.close()
