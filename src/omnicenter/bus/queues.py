"""Per-client event queues with resume, as in Zulip's event system.

A client registers and gets a queue id; every event pushed to the queue gets the next
number; the client acknowledges the last number it processed. After a reconnect it asks
for everything after that number; if its queue expired meanwhile it is told to reload.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omnicenter.domain.ids import new_id

__all__ = ["ClientQueue", "EventQueues", "QueueExpired"]


class QueueExpired(LookupError):
    """The queue is gone: the client must reload its state and register again."""


@dataclass
class ClientQueue:
    id: str
    owner: str
    accepts: Callable[[dict[str, Any]], bool]
    max_events: int
    events: deque[dict[str, Any]] = field(default_factory=deque)
    next_id: int = 1
    acked: int = 0
    last_touch: float = field(default_factory=time.monotonic)
    waiters: list[asyncio.Event] = field(default_factory=list)
    dropped: bool = False

    def push(self, payload: dict[str, Any]) -> None:
        self.events.append({**payload, "id": self.next_id})
        self.next_id += 1
        while len(self.events) > self.max_events:
            # The client fell too far behind; it will be told to reload.
            self.events.popleft()
            self.dropped = True
        for waiter in self.waiters:
            waiter.set()

    def ack(self, last_event_id: int) -> None:
        self.acked = max(self.acked, last_event_id)
        while self.events and self.events[0]["id"] <= self.acked:
            self.events.popleft()

    def since(self, last_event_id: int) -> list[dict[str, Any]]:
        if self.dropped and self.events and self.events[0]["id"] > last_event_id + 1:
            raise QueueExpired(self.id)
        return [e for e in self.events if e["id"] > last_event_id]


class EventQueues:
    def __init__(self, timeout_s: float = 600.0, max_events: int = 10_000) -> None:
        self._queues: dict[str, ClientQueue] = {}
        self.timeout_s = timeout_s
        self.max_events = max_events

    def register(self, owner: str, accepts: Callable[[dict[str, Any]], bool]) -> ClientQueue:
        self.gc()
        queue = ClientQueue(new_id("q"), owner, accepts, self.max_events)
        self._queues[queue.id] = queue
        return queue

    def get(self, queue_id: str, owner: str) -> ClientQueue:
        queue = self._queues.get(queue_id)
        if queue is None or queue.owner != owner:
            raise QueueExpired(queue_id)
        queue.last_touch = time.monotonic()
        return queue

    def push(self, payload: dict[str, Any]) -> None:
        for queue in self._queues.values():
            if queue.accepts(payload):
                queue.push(payload)

    def gc(self) -> None:
        """Drop queues untouched for longer than the timeout (their clients went away)."""
        cutoff = time.monotonic() - self.timeout_s
        for qid in [q.id for q in self._queues.values() if q.last_touch < cutoff and not q.waiters]:
            del self._queues[qid]

    def __len__(self) -> int:
        return len(self._queues)
