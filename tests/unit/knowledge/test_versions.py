"""Versions in the core: what changed, no-op imports, deliveries applied once, conflicts,
rollback and following another writer, on the in-memory repository."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.knowledge import (
    FileKnowledgeRepository,
    InMemoryKnowledgeRepository,
    KnowledgeChange,
    KnowledgeConflict,
    KnowledgeService,
    KnowledgeSnapshot,
    NotVersioned,
    RawRow,
    changed_records,
    watch_versions,
)

NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def product(pid: str, name: str = "P") -> RawRow:
    return RawRow("products.csv", 2, "products", {"id": pid, "name_en": name})


def test_changed_records_names_additions_changes_and_removals() -> None:
    empty = KnowledgeSnapshot()
    one = empty.with_records([], NOW)
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    service.import_rows([product("a"), product("b")])
    v1 = service.snapshot
    service.import_rows([product("b", "renamed"), product("c")])
    v2 = service.snapshot
    assert changed_records(empty, one) == []
    assert [(k, key) for k, key, _ in changed_records(v1, v2)] == [
        ("products", "b"),
        ("products", "c"),
    ]
    assert [(key, r is None) for _, key, r in changed_records(v2, v1)] == [
        ("b", False),
        ("c", True),
    ]


def test_an_import_that_changes_nothing_keeps_the_version() -> None:
    repository = InMemoryKnowledgeRepository()
    service = KnowledgeService(repository, clock=lambda: NOW)
    assert not service.import_rows([product("a")]).unchanged
    again = service.import_rows([product("a")])
    assert again.applied and again.unchanged
    assert service.snapshot.revision == 1 and repository.saves == 1


def test_a_delivery_is_applied_once() -> None:
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    change = KnowledgeChange("shop", "product.updated", delivery_id="shop:7")
    assert not service.import_rows([product("a")], change=change).unchanged
    repeated = service.import_rows([product("a", "other")], change=change)
    assert repeated.unchanged and service.snapshot.revision == 1
    assert service.history()[0].delivery_id == "shop:7"


def test_a_stale_plan_is_planned_again_on_the_newer_version() -> None:
    repository = InMemoryKnowledgeRepository()
    first = KnowledgeService(repository, clock=lambda: NOW)
    second = KnowledgeService(repository, clock=lambda: NOW)
    first.import_rows([product("a")])
    with pytest.raises(KnowledgeConflict):
        repository.save(KnowledgeSnapshot(1, NOW), KnowledgeChange())
    report = second.import_rows([product("b")])
    assert report.applied and second.snapshot.revision == 2
    assert set(second.snapshot.of("products")) == {"a", "b"}


def test_rollback_and_history() -> None:
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    service.import_rows([product("a")], change=KnowledgeChange("anna", "first"))
    service.import_rows([product("b")], change=KnowledgeChange("bob", "second"))
    restored = service.rollback(1)
    assert restored.revision == 3 and set(restored.of("products")) == {"a"}
    assert [(v.version, v.author, v.source, v.changed) for v in service.history()] == [
        (3, "system", "rollback to version 1", 1),
        (2, "bob", "second", 1),
        (1, "anna", "first", 1),
    ]
    with pytest.raises(KeyError):
        service.rollback(7)


def test_the_file_store_has_no_history(tmp_path: Path) -> None:
    service = KnowledgeService(FileKnowledgeRepository(tmp_path), clock=lambda: NOW)
    service.import_rows([product("a")], change=KnowledgeChange("anna", "first"))
    with pytest.raises(NotVersioned):
        service.history()
    with pytest.raises(NotVersioned):
        service.rollback(1)
    assert not service.refresh()


async def test_watch_reloads_a_version_another_writer_saved() -> None:
    repository = InMemoryKnowledgeRepository()
    reader = KnowledgeService(repository, clock=lambda: NOW)
    writer = KnowledgeService(repository, clock=lambda: NOW)
    stop, changed = asyncio.Event(), asyncio.Event()
    seen: list[int] = []

    def on_change(version: int) -> None:
        seen.append(version)
        changed.set()

    task = asyncio.create_task(watch_versions(reader, 0.01, stop, on_change))
    writer.import_rows([product("a")])
    await changed.wait()
    stop.set()
    await task
    assert seen == [1] and "a" in reader.snapshot.of("products")


async def test_watch_needs_a_positive_interval() -> None:
    service = KnowledgeService(InMemoryKnowledgeRepository())
    with pytest.raises(ValueError, match="positive"):
        await watch_versions(service, 0, asyncio.Event())
