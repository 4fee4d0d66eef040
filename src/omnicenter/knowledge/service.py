"""The knowledge service: holds the current knowledge base and applies imports to it.

Readers call `ask` (or `base` for the typed helpers); writers call `import_files`,
`import_rows` or `apply_rows`. A successful import is saved first and then swapped in
whole, so a reader sees either the old or the new knowledge, never a mix.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from omnicenter.knowledge.base import KnowledgeBase, KnowledgeQuery
from omnicenter.knowledge.facts import Fact, NotFound, Query
from omnicenter.knowledge.importer import ImportReport, RawRow, RejectedRow, plan_import, read_file
from omnicenter.knowledge.repository import KnowledgeRepository
from omnicenter.knowledge.snapshot import KnowledgeSnapshot

__all__ = ["KnowledgeService"]

Progress = Callable[[int, int], None]


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

    def ask(self, query: Query) -> Fact | NotFound:
        return self._base.ask(query)

    def import_rows(
        self, rows: Iterable[RawRow], already_rejected: Sequence[RejectedRow] = ()
    ) -> ImportReport:
        with self._lock:
            report = plan_import(self._base.snapshot, rows, self._clock(), already_rejected)
            if report.snapshot is not None:
                self._repository.save(report.snapshot)
                self._base = KnowledgeBase(report.snapshot, self._clock)
            return report

    def import_files(self, paths: Sequence[Path], progress: Progress | None = None) -> ImportReport:
        """Read every file, then import all their rows as one change (or none)."""
        rows: list[RawRow] = []
        rejected: list[RejectedRow] = []
        for done, path in enumerate(paths, start=1):
            file_rows, file_rejected = read_file(path)
            rows += file_rows
            rejected += file_rejected
            if progress is not None:
                progress(done, len(paths))
        return self.import_rows(rows, rejected)
