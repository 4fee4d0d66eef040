"""The in-process bus: the embedded default, one node, no broker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from omnicenter.bus.events import BusEvent

__all__ = ["InProcessBus", "Subscriber"]

log = logging.getLogger(__name__)

Subscriber = Callable[[BusEvent], Awaitable[None] | None]


class InProcessBus:
    """Delivers events to subscribers on the event loop, in publish order.

    Services run in worker threads and call `publish_threadsafe` after their commit.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, fn: Subscriber) -> None:
        self._subscribers.append(fn)

    async def publish(self, events: Sequence[BusEvent]) -> None:
        for ev in events:
            for fn in self._subscribers:
                try:
                    result = fn(ev)
                    if result is not None:
                        await result
                except Exception:  # one bad subscriber must not starve the others
                    log.exception("bus subscriber failed on %s", ev.type)

    def publish_threadsafe(self, events: Sequence[BusEvent]) -> None:
        if not events:
            return
        loop = self._loop
        if loop is None:
            raise RuntimeError("bus not bound to an event loop")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(self.publish(events))
        else:
            asyncio.run_coroutine_threadsafe(self.publish(events), loop)
