"""The in-process bus: the embedded default, one node, no broker."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from omnicenter.bus.events import BusEvent

__all__ = ["InProcessBus", "Subscriber"]

log = logging.getLogger(__name__)

Subscriber = Callable[[BusEvent], Awaitable[None] | None]


class InProcessBus:
    """Delivers events to subscribers on the event loop, in publish order.

    `Runtime.write` publishes a unit of work's events on the loop once its commit is done.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

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
