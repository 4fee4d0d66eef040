"""Where knowledge snapshots are kept between runs.

`KnowledgeRepository` is the port; `FileKnowledgeRepository` keeps one JSON snapshot in a
data directory and replaces it atomically (write a temporary file, fsync, rename), so a
crash mid-save leaves the previous snapshot whole. `VersionedKnowledgeRepository` adds
what the SQL store (`omnicenter.store.knowledge`) keeps beyond the latest snapshot: every
version with who/when/source, for history, rollback, idempotent deliveries and for other
processes to notice a new version.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from omnicenter.knowledge.snapshot import KnowledgeSnapshot, SnapshotError, changed_records

__all__ = [
    "FileKnowledgeRepository",
    "InMemoryKnowledgeRepository",
    "KnowledgeChange",
    "KnowledgeConflict",
    "KnowledgeRepository",
    "KnowledgeVersion",
    "VersionedKnowledgeRepository",
]


@dataclass(frozen=True, slots=True)
class KnowledgeChange:
    """Who made a new version and from what: kept with the version for `history`.

    `delivery_id` names a pushed delivery (a shop webhook); a repository refuses a second
    version for the same id, so a redelivered webhook changes nothing.
    """

    author: str = "system"
    source: str = ""
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True)
class KnowledgeVersion:
    version: int
    created_at: datetime
    author: str
    source: str
    delivery_id: str | None
    changed: int  # records added, changed or removed by this version
    records: int  # records in the whole snapshot at this version


class KnowledgeConflict(RuntimeError):
    """The snapshot was planned on a version that is no longer the latest (another process
    saved first), or its delivery was already applied. Reload and plan again."""


class KnowledgeRepository(Protocol):
    def load(self) -> KnowledgeSnapshot | None:
        """The last saved snapshot, or None when nothing was saved yet."""
        ...

    def save(self, snapshot: KnowledgeSnapshot, change: KnowledgeChange | None = None) -> None:
        """Keep `snapshot`; it becomes what `load` returns, all at once."""
        ...


@runtime_checkable
class VersionedKnowledgeRepository(KnowledgeRepository, Protocol):
    """A repository that keeps every version. `save` raises `KnowledgeConflict` unless the
    snapshot's revision is the latest version plus one and its delivery is new."""

    def latest_version(self) -> int:
        """The newest version number (0: none); cheap enough to poll."""
        ...

    def load_version(self, version: int) -> KnowledgeSnapshot | None:
        """The snapshot as it was at `version`, or None for an unknown version."""
        ...

    def history(self, limit: int = 50) -> list[KnowledgeVersion]:
        """The newest versions first."""
        ...

    def has_delivery(self, delivery_id: str) -> bool: ...


class InMemoryKnowledgeRepository:
    """Every version in memory: for tests, dry runs and catalogs loaded at start."""

    def __init__(self, snapshot: KnowledgeSnapshot | None = None) -> None:
        self.snapshot = snapshot
        self.saves = 0
        self._versions: dict[int, tuple[KnowledgeSnapshot, KnowledgeVersion]] = {}

    def load(self) -> KnowledgeSnapshot | None:
        return self.snapshot

    def save(self, snapshot: KnowledgeSnapshot, change: KnowledgeChange | None = None) -> None:
        change = change or KnowledgeChange()
        if snapshot.revision != self.latest_version() + 1:
            raise KnowledgeConflict(
                f"version {snapshot.revision} planned on an old version; "
                f"latest is {self.latest_version()}"
            )
        if change.delivery_id is not None and self.has_delivery(change.delivery_id):
            raise KnowledgeConflict(f"delivery {change.delivery_id!r} was already applied")
        changed = len(changed_records(self.snapshot or KnowledgeSnapshot(), snapshot))
        total = sum(snapshot.count().values())
        self._versions[snapshot.revision] = (
            snapshot,
            KnowledgeVersion(
                snapshot.revision,
                snapshot.updated_at,
                change.author,
                change.source,
                change.delivery_id,
                changed,
                total,
            ),
        )
        self.snapshot = snapshot
        self.saves += 1

    def latest_version(self) -> int:
        return self.snapshot.revision if self.snapshot is not None else 0

    def load_version(self, version: int) -> KnowledgeSnapshot | None:
        if self.snapshot is not None and version == self.snapshot.revision:
            return self.snapshot
        entry = self._versions.get(version)
        return entry[0] if entry is not None else None

    def history(self, limit: int = 50) -> list[KnowledgeVersion]:
        return [self._versions[v][1] for v in sorted(self._versions, reverse=True)[:limit]]

    def has_delivery(self, delivery_id: str) -> bool:
        return any(info.delivery_id == delivery_id for _, info in self._versions.values())


class FileKnowledgeRepository:
    """The latest snapshot in one JSON file (the `knowledge_store = "file"` setting)."""

    FILENAME = "knowledge.json"

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / self.FILENAME

    def load(self) -> KnowledgeSnapshot | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return KnowledgeSnapshot.from_json(json.loads(text))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SnapshotError(f"{self.path}: {exc}") from exc

    def save(self, snapshot: KnowledgeSnapshot, change: KnowledgeChange | None = None) -> None:
        # One file keeps the latest snapshot only; who/when/source need the SQL store.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".knowledge-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(snapshot.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # make the rename itself durable
        finally:
            os.close(dir_fd)
