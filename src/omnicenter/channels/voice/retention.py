"""Recording retention: which recordings are past their retention, and deleting them.

A recording is named `<UTC stamp>-<call id>.wav` (see `calls.py`); its age is the call's
date from that name, or the file's modification time when the name carries none. A call
of a queue is recorded in that queue's folder (`queue_folder`), so a queue may keep its
recordings for a time of its own; files in the top folder, and in folders of queues with
no time of their own, keep `recordings_retention_days`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = [
    "Recording",
    "delete_recordings",
    "expired_by_queue",
    "expired_recordings",
    "find_recording",
    "list_recordings",
    "queue_folder",
]

_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<call>[A-Za-z0-9_]+)\.wav$")
_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")  # a queue name safe as a folder


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    call_id: str | None
    recorded_at: datetime


def _recording(path: Path) -> Recording:
    match = _NAME.match(path.name)
    if match is not None:
        stamp = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return Recording(path, match["call"], stamp)
    return Recording(path, None, datetime.fromtimestamp(path.stat().st_mtime, UTC))


def list_recordings(directory: Path) -> list[Recording]:
    """Every WAV file in `directory`, oldest first (none when it does not exist)."""
    if not directory.is_dir():
        return []
    found = [_recording(p) for p in directory.glob("*.wav") if p.is_file()]
    return sorted(found, key=lambda r: r.recorded_at)


def expired_recordings(directory: Path, retention_days: int, now: datetime) -> list[Recording]:
    """Recordings older than `retention_days`; a retention of 0 or less keeps everything."""
    if retention_days <= 0:
        return []
    cutoff = now - timedelta(days=retention_days)
    return [r for r in list_recordings(directory) if r.recorded_at < cutoff]


def queue_folder(directory: Path, queue: str | None) -> Path:
    """Where a call of `queue` is recorded: the queue's folder, or the top folder when
    there is no queue or its name cannot be a folder name."""
    if queue and _FOLDER.match(queue):
        return directory / queue
    return directory


def expired_by_queue(
    directory: Path, retention_days: int, per_queue: Mapping[str, int], now: datetime
) -> list[Recording]:
    """Expired recordings of the top folder (`retention_days`) and of each queue's folder
    (the queue's own days from `per_queue`, else `retention_days`), oldest first."""
    found = expired_recordings(directory, retention_days, now)
    if directory.is_dir():
        for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
            days = per_queue.get(folder.name, retention_days)
            found += expired_recordings(folder, days, now)
    return sorted(found, key=lambda r: r.recorded_at)


def find_recording(directory: Path, call_id: str) -> Path | None:
    """The recording of a call, in the top folder or a queue's."""
    found = sorted([*directory.glob(f"*-{call_id}.wav"), *directory.glob(f"*/*-{call_id}.wav")])
    return found[-1] if found else None


def delete_recordings(
    recordings: Iterable[Recording], on_deleted: Callable[[Recording], None] | None = None
) -> list[Recording]:
    """Delete the files; one already gone (another sweep) counts as deleted."""
    deleted: list[Recording] = []
    for rec in recordings:
        rec.path.unlink(missing_ok=True)
        deleted.append(rec)
        if on_deleted is not None:
            on_deleted(rec)
    return deleted
