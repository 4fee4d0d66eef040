from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.knowledge import (
    FileKnowledgeRepository,
    KnowledgeService,
    KnowledgeSnapshot,
    SnapshotError,
)


def test_snapshot_round_trips_through_the_file(service: KnowledgeService, tmp_path: Path) -> None:
    repo = FileKnowledgeRepository(tmp_path)
    repo.save(service.snapshot)
    loaded = repo.load()
    assert loaded is not None
    assert loaded.revision == service.snapshot.revision
    assert loaded.records == service.snapshot.records  # every record, origin included


def test_nothing_saved_loads_as_none(tmp_path: Path) -> None:
    assert FileKnowledgeRepository(tmp_path / "empty").load() is None


def test_save_replaces_atomically_and_leaves_no_temporary_files(
    service: KnowledgeService, tmp_path: Path
) -> None:
    repo = FileKnowledgeRepository(tmp_path)
    repo.save(KnowledgeSnapshot())
    repo.save(service.snapshot)
    assert [p.name for p in tmp_path.iterdir()] == ["knowledge.json"]
    assert json.loads((tmp_path / "knowledge.json").read_text())["revision"] == 1


def test_a_failed_write_keeps_the_previous_snapshot(
    service: KnowledgeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = FileKnowledgeRepository(tmp_path)
    repo.save(service.snapshot)

    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", broken)
    with pytest.raises(OSError):
        repo.save(KnowledgeSnapshot(revision=99, updated_at=datetime(2030, 1, 1, tzinfo=UTC)))
    monkeypatch.undo()
    loaded = repo.load()
    assert loaded is not None and loaded.revision == 1
    assert [p.name for p in tmp_path.iterdir()] == ["knowledge.json"]


def test_service_starts_from_the_saved_snapshot(service: KnowledgeService, tmp_path: Path) -> None:
    repo = FileKnowledgeRepository(tmp_path)
    repo.save(service.snapshot)
    again = KnowledgeService(repo)
    at = datetime(2025, 3, 20, tzinfo=UTC)
    assert again.base.price("SHO-42", "cus_anna", at) == service.base.price(
        "SHO-42", "cus_anna", at
    )
    assert again.snapshot.count() == service.snapshot.count()


def test_corrupt_snapshot_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "knowledge.json").write_text('{"format": 1, "revision": 1}')
    with pytest.raises(SnapshotError):
        FileKnowledgeRepository(tmp_path).load()
