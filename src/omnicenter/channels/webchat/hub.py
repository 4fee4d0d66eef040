"""Open visitor connections, so that an agent's reply reaches the visitor's browser at once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["VisitorHub"]

log = logging.getLogger(__name__)

Sender = Callable[[dict[str, Any]], Awaitable[None]]


class VisitorHub:
    def __init__(self) -> None:
        self._conns: dict[str, set[Sender]] = {}

    def attach(self, visitor_id: str, send: Sender) -> None:
        self._conns.setdefault(visitor_id, set()).add(send)

    def detach(self, visitor_id: str, send: Sender) -> None:
        conns = self._conns.get(visitor_id)
        if conns is not None:
            conns.discard(send)
            if not conns:
                del self._conns[visitor_id]

    def online(self, visitor_id: str) -> bool:
        return bool(self._conns.get(visitor_id))

    async def send(self, visitor_id: str, payload: dict[str, Any]) -> int:
        """Deliver to every open tab of the visitor; returns how many got it."""
        delivered = 0
        for send in list(self._conns.get(visitor_id, ())):
            try:
                await send(payload)
                delivered += 1
            except Exception:  # a closed socket: the tab reconnects and reads the transcript
                log.debug("visitor %s connection dropped", visitor_id)
                self.detach(visitor_id, send)
        return delivered
