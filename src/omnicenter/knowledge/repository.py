"""Where knowledge snapshots are kept between runs.

`KnowledgeRepository` is the port; `FileKnowledgeRepository` keeps one JSON snapshot in a
data directory and replaces it atomically (write a temporary file, fsync, rename), so a
crash mid-save leaves the previous snapshot whole. A SQL implementation can be added
beside it without touching the knowledge core.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from omnicenter.knowledge.snapshot import KnowledgeSnapshot, SnapshotError

__all__ = ["FileKnowledgeRepository", "InMemoryKnowledgeRepository", "KnowledgeRepository"]


class KnowledgeRepository(Protocol):
    def load(self) -> KnowledgeSnapshot | None:
        """The last saved snapshot, or None when nothing was saved yet."""
        ...

    def save(self, snapshot: KnowledgeSnapshot) -> None:
        """Keep `snapshot`; it becomes what `load` returns, all at once."""
        ...


class InMemoryKnowledgeRepository:
    def __init__(self, snapshot: KnowledgeSnapshot | None = None) -> None:
        self.snapshot = snapshot
        self.saves = 0

    def load(self) -> KnowledgeSnapshot | None:
        return self.snapshot

    def save(self, snapshot: KnowledgeSnapshot) -> None:
        self.snapshot = snapshot
        self.saves += 1


class FileKnowledgeRepository:
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

    def save(self, snapshot: KnowledgeSnapshot) -> None:
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
