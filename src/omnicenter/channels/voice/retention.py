"""Recording retention: which recordings are past `recordings_retention_days`, and deleting them.

A recording is named `<UTC stamp>-<call id>.wav` (see `calls.py`); its age is the call's
date from that name, or the file's modification time when the name carries none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["Recording", "delete_recordings", "expired_recordings", "list_recordings"]

_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-(?P<call>[A-Za-z0-9_]+)\.wav$")


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
