"""One asyncio loop in a daemon thread that holds the opened Copilot and the overview's view of the plant.

Streamlit runs each session's script in its own thread and reruns it on every click,
while the copilot, its connectors and its SQLite files want one long-lived event loop.
So the app keeps exactly one ``AppRuntime`` (``st.cache_resource``): every call goes
onto its loop with ``asyncio.run_coroutine_threadsafe`` and is waited for with a
timeout. Opening is slow (ingesting manuals, loading and warming the model) and runs
in the background; ``progress`` says how far it got, for the pages to show.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from connectors.settings import ConnectorSettings
from copilot import Copilot, CopilotSettings, PendingAction, Step, Verdict
from copilot.identity import User
from copilot.llm import ChatModel
from copilot.reports import PlantView
from knowledge.open import open_store
from knowledge.settings import KnowledgeSettings
from twin.settings import TwinSettings

T = TypeVar("T")
_DONE = object()


@dataclass
class Progress:
    """What the runtime is doing while it opens, for a progress bar."""

    phase: str = "starting"
    fraction: float | None = None
    started: float = field(default_factory=time.monotonic)
    log: list[str] = field(default_factory=list)

    def set(self, phase: str, fraction: float | None = None) -> None:
        self.phase, self.fraction = phase, fraction
        self.log.append(phase)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


class AppRuntime:
    """The app's one event loop in a daemon thread, holding the opened copilot and the plant's view; pages run
    calls on it with a timeout."""

    def __init__(
        self,
        model_factory: Callable[[], ChatModel],
        *,
        connectors: ConnectorSettings,
        settings: CopilotSettings,
        knowledge: KnowledgeSettings,
        twin: TwinSettings,
        manuals_dir: Path | None = None,
        one_turn_at_a_time: bool = False,
    ) -> None:
        self.connectors = connectors
        self.settings = settings
        self.knowledge = knowledge
        self.twin = twin
        self.progress = Progress()
        self.manuals: Any = None
        self._copilot: Copilot | None = None
        self._plant_view: PlantView | None = None
        self._stack = AsyncExitStack()
        # an embedded model is one llama.cpp context: two sessions must not run it at once
        self._turns: asyncio.Lock | None = asyncio.Lock() if one_turn_at_a_time else None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="copilot-loop", daemon=True)
        self._thread.start()
        self.plant_ready = asyncio.run_coroutine_threadsafe(self._open_plant(), self.loop)
        self.ready = asyncio.run_coroutine_threadsafe(self._open(model_factory, manuals_dir), self.loop)

    # -- opening -------------------------------------------------------------------------------------

    async def _open_plant(self) -> PlantView:
        self._plant_view = await self._stack.enter_async_context(
            PlantView.open(self.connectors, self.settings.plc_protocol))
        return self._plant_view

    async def _open(self, model_factory: Callable[[], ChatModel], manuals_dir: Path | None) -> Copilot:
        self.progress.set("opening the manuals store")
        self.manuals = await asyncio.to_thread(open_store, self.knowledge)
        if manuals_dir is not None and await asyncio.to_thread(self.manuals.chunk_count) == 0:
            await asyncio.to_thread(self._ingest, manuals_dir)
        self.progress.set("loading the model and warming up its prompt (minutes on a CPU the first time)")
        model = await asyncio.to_thread(model_factory)
        copilot = await self._stack.enter_async_context(
            Copilot.open(model, settings=self.settings, connectors=self.connectors, twin=self.twin,
                         manuals=self.manuals)
        )
        self.progress.set("resuming conversations decided while the app was away")
        await copilot.resume_decided()
        self._copilot = copilot
        self.progress.set("ready", 1.0)
        return copilot

    def _ingest(self, folder: Path) -> None:
        files = self.manuals.manual_files(folder)
        done = 0
        self.progress.set(f"ingesting {len(files)} manuals", 0.0)

        def on_file(result: Any) -> None:
            nonlocal done
            done += 1
            self.progress.set(f"ingested {result.path.name} ({result.status})", done / max(len(files), 1))

        self.manuals.ingest(folder, on_file=on_file)

    # -- calling onto the loop -----------------------------------------------------------------------

    @property
    def copilot(self) -> Copilot:
        """The opened copilot; waits for it (pages show ``progress`` first, see ui/shared.py copilot_ready)."""
        return self._copilot or self.ready.result(timeout=0)

    async def ask(self, user: User, text: str, thread_id: str) -> AsyncIterator[Step]:
        """The copilot's turn, after any other session's turn when the model runs one at a time."""
        async with self._turn():
            async for step in self.copilot.ask(user, text, thread_id=thread_id):
                yield step

    async def decide(self, verdict: Verdict, action_id: str, user: User,
                     comment: str) -> tuple[PendingAction, list[Step]]:
        """Approve or reject; a decided action's conversation resumes inside (so it takes a turn, too)."""
        async with self._turn():
            return await self.copilot.decide(verdict, action_id, user, comment)

    def _turn(self) -> AbstractAsyncContextManager[Any]:
        return self._turns if self._turns is not None else nullcontext()

    def plant_view(self, timeout: float = 15.0) -> PlantView:
        """The plant as the overview shows it, ready before the copilot is."""
        return self._plant_view or self.plant_ready.result(timeout=timeout)

    def call(self, coro: Awaitable[T], timeout: float = 30.0) -> T:
        """Run a coroutine on the loop and wait for it; on timeout it keeps running there (a decision
        being resumed must finish), the caller gets TimeoutError."""
        future = asyncio.run_coroutine_threadsafe(_awaited(coro), self.loop)
        return future.result(timeout=timeout)

    def sync(self, fn: Callable[..., T], *args: Any, timeout: float = 30.0, **kwargs: Any) -> T:
        """Run a plain function on the loop's thread: the copilot's SQLite handles live there."""

        async def run() -> T:
            return fn(*args, **kwargs)

        return self.call(run(), timeout=timeout)

    def stream(self, items: AsyncIterator[T], timeout: float = 600.0) -> Iterator[T]:
        """Iterate an async iterator from the script thread; it runs to its end on the loop even if the
        script stops reading (a rerun), so a conversation is never cut in half."""
        out: queue.Queue[Any] = queue.Queue()

        async def pump() -> None:
            try:
                async for item in items:
                    out.put(item)
            except BaseException as exc:  # noqa: BLE001 - handed to the reader, who raises it
                out.put(_Failed(exc))
            finally:
                out.put(_DONE)

        asyncio.run_coroutine_threadsafe(pump(), self.loop)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no end of the copilot's turn within {timeout:g} s; it goes on in the background")
            try:
                item = out.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def close(self, timeout: float = 15.0) -> None:
        """Close the copilot and the clients, then stop the loop (tests, a retry, the server's shutdown)."""
        if not self._thread.is_alive():
            return
        for future in (self.ready, self.plant_ready):
            if not future.done():
                future.cancel()
        try:
            asyncio.run_coroutine_threadsafe(self._stack.aclose(), self.loop).result(timeout=timeout)
        except Exception:  # noqa: BLE001 - closing a dead connection must not stop the rest of the shutdown
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=timeout)


@dataclass(frozen=True)
class _Failed:
    error: BaseException


async def _awaited(coro: Awaitable[T]) -> T:
    return await coro
