"""Refusals in the audit log, counted rather than one record each: a flood of bad tokens cannot flood the log.

A refusal's *source* is who was refused, through which face, from where, and why. The first ``BURST`` refusals of
a source within ``WINDOW_S`` seconds are recorded one by one; the rest are counted, and the count goes into one
``refusal`` record (``repeated``: how many were held back, ``first_at``/``last_at``: when) as soon as the window has
passed: at the source's next refusal, at any later refusal, or when the copilot closes. At most ``SOURCES`` sources
are followed at once; beyond that, refusals share one overflow source, so memory stays bounded under any flood.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from copilot.store.audit import AuditKind, AuditLog

__all__ = ["BURST", "SOURCES", "WINDOW_S", "Refusals"]

BURST = 5  # refusals of one source recorded one by one within a window
WINDOW_S = 60.0
SOURCES = 256
_OVERFLOW = ("*", "", "", "more sources than are followed at once")


@dataclass
class _Window:
    """One source's current window: when it began, how many refusals it recorded, how many it held back."""

    began: float
    recorded: int = 0
    held: int = 0
    first_held: float = 0.0
    last_held: float = 0.0
    arguments: dict[str, Any] = field(default_factory=dict)


class Refusals:
    """Refusals of callers turned away before anything was proposed, recorded in ``audit`` at a bounded rate."""

    def __init__(self, audit: AuditLog, *, clock: Callable[[], float] = time.time) -> None:
        self._audit, self._clock = audit, clock
        self._windows: dict[tuple[str, str, str, str], _Window] = {}
        self._lock = threading.Lock()

    def record(self, actor: str, why: str, *, via: str, address: str = "", **arguments: Any) -> None:
        """Refuse ``actor`` (through face ``via``, from ``address``) for ``why``: a record of its own, or counted."""
        now = self._clock()
        with self._lock:
            self._flush_ended(now)
            source = (actor, via, address, why)
            if source not in self._windows and len(self._windows) >= SOURCES:
                source = _OVERFLOW
            window = self._windows.setdefault(source, _Window(began=now))
            if window.recorded < BURST:
                window.recorded += 1
                self._write(source, {**arguments}, {"reason": why})
                return
            if not window.held:
                window.first_held = now
            window.held += 1
            window.last_held = now
            window.arguments = arguments

    def flush(self) -> None:
        """Write the count of every window, ended or not (the copilot closes)."""
        with self._lock:
            for source, window in self._windows.items():
                self._summary(source, window)
            self._windows.clear()

    def _flush_ended(self, now: float) -> None:
        for source, window in list(self._windows.items()):
            if now - window.began >= WINDOW_S:
                self._summary(source, window)
                del self._windows[source]

    def _summary(self, source: tuple[str, str, str, str], window: _Window) -> None:
        if window.held:
            self._write(source, window.arguments, {"reason": source[3], "repeated": window.held,
                                                   "first_at": window.first_held, "last_at": window.last_held})

    def _write(self, source: tuple[str, str, str, str], arguments: dict[str, Any], result: dict[str, Any]) -> None:
        actor, via, address, _ = source
        where = {"via": via, **({"address": address} if address else {})}
        self._audit.append(kind=AuditKind.refusal, actor=actor, arguments={**where, **arguments}, result=result)
