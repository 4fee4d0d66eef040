"""Following versions other processes save: poll the version number, reload on a change.

Polling one integer (`latest_version`) costs one indexed query per interval and needs no
channel between processes; a reload happens only when the number moved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from omnicenter.knowledge.service import KnowledgeService

__all__ = ["watch_versions"]

log = logging.getLogger(__name__)


async def watch_versions(
    service: KnowledgeService,
    interval_s: float,
    stop: asyncio.Event,
    on_change: Callable[[int], None] = lambda _: None,
) -> None:
    """Until `stop` is set, reload `service` whenever a newer version was saved elsewhere;
    `on_change` gets the version now served. The database work runs in a worker thread."""
    if interval_s <= 0:
        raise ValueError("the knowledge reload interval must be positive")
    while not stop.is_set():
        try:
            if await asyncio.to_thread(service.refresh):
                on_change(service.snapshot.revision)
        except Exception:  # a database hiccup must not end the watch; the next poll retries
            log.warning("knowledge reload failed", exc_info=True)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            continue
