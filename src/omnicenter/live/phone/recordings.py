"""Call recordings past their retention are deleted by a periodic sweep, and the timeline
says why their link is gone (`services.calls.expire_recording`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from omnicenter.channels.voice import VoiceSettings
from omnicenter.channels.voice.retention import Recording, delete_recordings, expired_by_queue
from omnicenter.runtime import Runtime
from omnicenter.services.calls import expire_recording

__all__ = [
    "expired_for",
    "keeps_forever",
    "purge_recordings",
    "retention_by_queue",
    "sweep_recordings",
]

log = logging.getLogger(__name__)


def retention_by_queue(settings: VoiceSettings) -> dict[str, int]:
    """Queues that keep their recordings for a time of their own."""
    return {
        name: q.retention_days
        for name, q in settings.menu.queues.items()
        if q.retention_days is not None
    }


def expired_for(settings: VoiceSettings, now: datetime) -> list[Recording]:
    """Recordings past their retention: their queue's, else `recordings_retention_days`."""
    days, per_queue = settings.recordings_retention_days, retention_by_queue(settings)
    return expired_by_queue(settings.recordings_dir, days, per_queue, now)


def keeps_forever(settings: VoiceSettings) -> bool:
    """No retention anywhere: the sweep has nothing to do."""
    days = [settings.recordings_retention_days, *retention_by_queue(settings).values()]
    return all(d <= 0 for d in days)


async def purge_recordings(
    runtime: Runtime,
    settings: VoiceSettings,
    *,
    now: datetime | None = None,
    on_deleted: Callable[[Recording], None] | None = None,
) -> list[Recording]:
    """Delete recordings past their retention (the queue's, else
    `recordings_retention_days`) and mark them on the timeline."""
    when = now or datetime.now(UTC)
    old = await asyncio.to_thread(expired_for, settings, when)
    deleted = await asyncio.to_thread(delete_recordings, old, on_deleted)
    for rec in deleted:
        if rec.call_id is not None:
            await runtime.write(expire_recording, rec.call_id, str(rec.path))
    return deleted


async def sweep_recordings(runtime: Runtime, settings: VoiceSettings) -> None:
    """The running service's periodic retention sweep."""
    while True:
        try:
            deleted = await purge_recordings(runtime, settings)
        except Exception:  # a failed sweep must not end the sweeps
            log.exception("recording retention sweep failed")
        else:
            if deleted:
                log.info("deleted %d expired call recordings", len(deleted))
        await asyncio.sleep(settings.recordings_sweep_interval)
