"""The knowledge service: holds the current knowledge base and applies imports to it.

Readers call `ask` (or `base` for the typed helpers); writers call `import_files`,
`import_rows` or `rollback`. A successful import is saved first and then swapped in
whole, so a reader sees either the old or the new knowledge, never a mix. With a
versioned repository several processes share the knowledge: `refresh` picks up a version
another process saved, and a save planned on a stale version is planned again.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from omnicenter.knowledge.base import KnowledgeBase, KnowledgeQuery
from omnicenter.knowledge.facts import Fact, NotFound, Query
from omnicenter.knowledge.importer import ImportReport, RawRow, RejectedRow, plan_import, read_file
from omnicenter.knowledge.repository import (
    KnowledgeChange,
    KnowledgeConflict,
    KnowledgeRepository,
    KnowledgeVersion,
    VersionedKnowledgeRepository,
)
from omnicenter.knowledge.snapshot import KnowledgeSnapshot, changed_records

__all__ = ["KnowledgeService", "NotVersioned"]

Progress = Callable[[int, int], None]

SAVE_ATTEMPTS = 5  # plans repeated when other processes keep saving first


class NotVersioned(RuntimeError):
    """History and rollback need a repository that keeps versions (the SQL store)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class KnowledgeService(KnowledgeQuery):
    def __init__(
        self, repository: KnowledgeRepository, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._lock = threading.Lock()  # one writer at a time; readers never wait
        self._base = KnowledgeBase(repository.load() or KnowledgeSnapshot(), clock)

    @property
    def base(self) -> KnowledgeBase:
        return self._base

    @property
    def snapshot(self) -> KnowledgeSnapshot:
        return self._base.snapshot

    @property
    def repository(self) -> KnowledgeRepository:
        return self._repository

    def ask(self, query: Query) -> Fact | NotFound:
        return self._base.ask(query)

    # -- writing ---------------------------------------------------------------------------
    def import_rows(
        self,
        rows: Iterable[RawRow],
        already_rejected: Sequence[RejectedRow] = (),
        *,
        change: KnowledgeChange | None = None,
    ) -> ImportReport:
        """Apply `rows` as one new version, or nothing. An import that changes no record,
        or repeats a delivery already applied, saves nothing (`report.unchanged`)."""
        rows = list(rows)
        change = change or KnowledgeChange()
        with self._lock:
            for attempt in range(SAVE_ATTEMPTS):
                if attempt:
                    self._refresh_locked()
                if change.delivery_id is not None and self._seen(change.delivery_id):
                    return self._unchanged(rows)
                current = self._base.snapshot
                report = plan_import(current, rows, self._clock(), already_rejected)
                if report.snapshot is None:
                    return report
                if not changed_records(current, report.snapshot):
                    return dataclasses.replace(report, snapshot=current, unchanged=True)
                try:
                    self._repository.save(report.snapshot, change)
                except KnowledgeConflict:
                    continue
                self._base = KnowledgeBase(report.snapshot, self._clock)
                return report
        raise KnowledgeConflict(f"no version saved after {SAVE_ATTEMPTS} attempts")

    def import_files(
        self,
        paths: Sequence[Path],
        progress: Progress | None = None,
        *,
        change: KnowledgeChange | None = None,
    ) -> ImportReport:
        """Read every file, then import all their rows as one change (or none)."""
        rows: list[RawRow] = []
        rejected: list[RejectedRow] = []
        for done, path in enumerate(paths, start=1):
            file_rows, file_rejected = read_file(path)
            rows += file_rows
            rejected += file_rejected
            if progress is not None:
                progress(done, len(paths))
        if change is None:
            change = KnowledgeChange(source="import " + ", ".join(p.name for p in paths))
        return self.import_rows(rows, rejected, change=change)

    def rollback(self, version: int, change: KnowledgeChange | None = None) -> KnowledgeSnapshot:
        """Make the records of `version` current again, as a new version (history stays)."""
        repository = self._versioned()
        change = change or KnowledgeChange(source=f"rollback to version {version}")
        with self._lock:
            for _ in range(SAVE_ATTEMPTS):
                self._refresh_locked()
                old = repository.load_version(version)
                if old is None:
                    raise KeyError(f"there is no knowledge version {version}")
                current = self._base.snapshot
                new = KnowledgeSnapshot(current.revision + 1, self._clock(), old.records)
                try:
                    repository.save(new, change)
                except KnowledgeConflict:
                    continue
                self._base = KnowledgeBase(new, self._clock)
                return new
        raise KnowledgeConflict(f"no version saved after {SAVE_ATTEMPTS} attempts")

    # -- versions --------------------------------------------------------------------------
    def history(self, limit: int = 50) -> list[KnowledgeVersion]:
        return self._versioned().history(limit)

    def refresh(self) -> bool:
        """Load the latest saved version if another process saved one; True when swapped."""
        if not isinstance(self._repository, VersionedKnowledgeRepository):
            return False
        if self._repository.latest_version() == self._base.snapshot.revision:
            return False  # the cheap check a poll makes; the lock is only for a change
        with self._lock:
            return self._refresh_locked()

    def _refresh_locked(self) -> bool:
        if not isinstance(self._repository, VersionedKnowledgeRepository):
            return False
        if self._repository.latest_version() == self._base.snapshot.revision:
            return False
        latest = self._repository.load()
        if latest is None or latest.revision == self._base.snapshot.revision:
            return False
        self._base = KnowledgeBase(latest, self._clock)
        return True

    def _versioned(self) -> VersionedKnowledgeRepository:
        if not isinstance(self._repository, VersionedKnowledgeRepository):
            raise NotVersioned(
                "this knowledge store keeps only the latest snapshot; "
                'versions need the SQL store (knowledge_store = "sql")'
            )
        return self._repository

    def _seen(self, delivery_id: str) -> bool:
        return isinstance(
            self._repository, VersionedKnowledgeRepository
        ) and self._repository.has_delivery(delivery_id)

    def _unchanged(self, rows: Sequence[RawRow]) -> ImportReport:
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.kind] = counts.get(row.kind, 0) + 1
        return ImportReport(True, counts, (), self._base.snapshot, unchanged=True)
