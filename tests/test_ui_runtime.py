"""The app's runtime: one loop for every session; long opening work reports progress; work survives its reader."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from ui_helpers import PUMP_MANUAL, app_env, environment, pump_manual_store, session

from copilot.scripted import ScriptedChatModel, ScriptedReply
from copilot.settings import CopilotSettings
from knowledge.settings import KnowledgeSettings
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
                    knowledge=KnowledgeSettings(knowledge_store=tmp_path / "store"), manuals_dir=manuals)
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
    done: list[str] = []

    async def slow():
        await asyncio.sleep(0.3)
        done.append("decided")

    with pytest.raises(TimeoutError):
        runtime.call(slow(), timeout=0.05)
    time.sleep(0.6)
    assert done == ["decided"]


def test_a_copilot_that_cannot_start_is_shown_on_the_page_not_a_traceback(sim, tmp_path, monkeypatch):
    def broken():
        raise RuntimeError("model weights are not installed")

    monkeypatch.setattr(shared, "_make_model", broken)
    with environment(app_env(sim, tmp_path / "data", pump_manual_store(tmp_path), [])):
        shared.get_runtime.clear()
        try:
            at = session("olga")
            assert not at.exception
            assert [e.value for e in at.error] == ["The copilot could not start: model weights are not installed"]
        finally:
            shared.get_runtime().close()
            shared.get_runtime.clear()
