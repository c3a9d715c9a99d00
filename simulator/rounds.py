"""A background task that does one round of work now and then every few seconds until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Rounds:
    """Runs ``work`` now and every ``every_s`` seconds until ``stop``; a failed round is logged as ``what`` failed,
    and the next round runs all the same."""

    def __init__(self, work: Callable[[], Awaitable[None]], every_s: float, what: str) -> None:
        self._work, self._every_s, self._what = work, every_s, what
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._what)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._work()
            except Exception:  # a failed round is logged; the next one starts over
                log.exception("%s failed", self._what)
            await asyncio.sleep(self._every_s)
