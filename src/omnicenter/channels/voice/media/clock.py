"""One 20 ms media clock per endpoint that drives every prompt being played.

A single timer for all calls instead of one sleeping task per call: cheaper with hundreds
of calls, and every stream is paced against absolute deadlines, so lateness of one tick
does not accumulate into drift.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable

__all__ = ["MediaClock"]

log = logging.getLogger(__name__)


class MediaClock:
    def __init__(self, period: float = 0.02) -> None:
        self.period = period
        self._subscribers: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self.late_ticks = 0

    def add(self, tick: Callable[[], None]) -> int:
        handle = next(self._ids)
        self._subscribers[handle] = tick
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="media-clock")
        return handle

    def remove(self, handle: int) -> None:
        self._subscribers.pop(handle, None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while self._subscribers:
            deadline += self.period
            delay = deadline - loop.time()
            if delay < -5 * self.period:
                # The loop was blocked: skip ahead instead of bursting the missed frames.
                self.late_ticks += 1
                deadline = loop.time()
                delay = 0
            await asyncio.sleep(max(delay, 0))
            for tick in list(self._subscribers.values()):
                try:
                    tick()
                except Exception:
                    log.exception("media tick failed")

    async def aclose(self) -> None:
        self._subscribers.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
