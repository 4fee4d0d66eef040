"""Knowledge versions in SQL: saved in one transaction, loaded at start, history, rollback."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from omnicenter.knowledge import (
    KnowledgeChange,
    KnowledgeConflict,
    KnowledgeService,
    KnowledgeSnapshot,
    RawRow,
)
from omnicenter.knowledge.records import StockLevel
from omnicenter.store import Database
from omnicenter.store.knowledge import SqlKnowledgeRepository
from omnicenter.store.tables import knowledge_records

from .conftest import NOW


def stock_row(sku: str, quantity: int, line: int = 2) -> RawRow:
    return RawRow(
        "stock.csv", line, "stock", {"sku": sku, "location": "warehouse", "quantity": str(quantity)}
    )


def quantity(service: KnowledgeService, sku: str) -> int:
    record = service.snapshot.of("stock")[f"{sku}@warehouse"]
    assert isinstance(record, StockLevel)
    return record.quantity


def record_rows(db: Database) -> int:
    with db.reader() as conn:
        return int(conn.scalar(select(func.count()).select_from(knowledge_records)) or 0)


def test_a_new_service_loads_the_saved_version(db: Database, imported: KnowledgeService) -> None:
    again = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    assert again.snapshot.revision == 1
    assert again.snapshot.records == imported.snapshot.records  # every record, origin included
    assert again.base.price("SHO-42", "cus_anna") == imported.base.price("SHO-42", "cus_anna")


def test_a_partial_update_stores_only_the_changed_records(
    db: Database, imported: KnowledgeService
) -> None:
    before = record_rows(db)
    report = imported.import_rows([stock_row("TSH-RED-M", 3)], change=KnowledgeChange(source="s"))
    assert report.applied and not report.unchanged
    assert record_rows(db) == before + 1
    fresh = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    assert quantity(fresh, "TSH-RED-M") == 3
    assert fresh.snapshot.records == imported.snapshot.records


def test_an_import_that_changes_nothing_makes_no_version(imported: KnowledgeService) -> None:
    row = stock_row("TSH-RED-M", quantity(imported, "TSH-RED-M") + 1)
    first = imported.import_rows([row])
    second = imported.import_rows([row])
    assert first.applied and second.applied and second.unchanged
    assert [v.version for v in imported.history()] == [2, 1]


def test_a_save_failing_midway_leaves_the_previous_version_whole(
    db: Database, imported: KnowledgeService
) -> None:
    repository = SqlKnowledgeRepository(db, chunk=3)
    service = KnowledgeService(repository, clock=lambda: NOW)
    before = service.snapshot
    inserts = 0

    def fail_on_third_insert(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        nonlocal inserts
        if statement.startswith("INSERT INTO knowledge_records"):
            inserts += 1
            if inserts == 3:  # the version row and two batches of records are written
                raise RuntimeError("connection lost")

    event.listen(db.engine, "before_cursor_execute", fail_on_third_insert)
    rows = [stock_row(sku, 100 + n, n) for n, sku in enumerate(sorted(before.of("variants")))]
    try:
        with pytest.raises(RuntimeError, match="connection lost"):
            service.import_rows(rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_on_third_insert)
    assert inserts == 3 and len(rows) > 9
    assert service.snapshot is before  # the service keeps serving the old version
    reloaded = SqlKnowledgeRepository(db).load()
    assert reloaded is not None and reloaded.revision == 1
    assert reloaded.records == before.records
    assert [v.version for v in service.history()] == [1]
    report = service.import_rows(rows)  # and the next save works
    assert report.applied and service.snapshot.revision == 2


def test_history_keeps_who_when_and_source(imported: KnowledgeService) -> None:
    imported.import_rows([stock_row("SHO-42", 1)], change=KnowledgeChange("anna", "stock fix"))
    newest, first = imported.history()
    assert (newest.version, newest.author, newest.source, newest.changed) == (
        2,
        "anna",
        "stock fix",
        1,
    )
    assert (first.version, first.author, first.source) == (1, "ops", "demo catalog")
    assert first.changed == first.records == sum(imported.snapshot.count().values())
    assert newest.created_at == NOW


def test_rollback_restores_an_old_version_as_a_new_one(
    db: Database, imported: KnowledgeService
) -> None:
    v1 = imported.snapshot
    imported.import_rows([stock_row("TSH-RED-M", 0)])
    new_product = RawRow("products.csv", 2, "products", {"id": "P-NEW", "name_en": "New"})
    imported.import_rows([new_product], change=KnowledgeChange("bob", "new product"))
    assert "P-NEW" in imported.snapshot.of("products")
    restored = imported.rollback(1, KnowledgeChange("anna", "undo"))
    assert restored.revision == 4
    assert restored.records == v1.records  # the product added later is gone again
    fresh = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    assert fresh.snapshot.records == v1.records and fresh.snapshot.revision == 4
    assert [(v.version, v.source) for v in fresh.history(2)] == [(4, "undo"), (3, "new product")]
    three = SqlKnowledgeRepository(db).load_version(3)
    assert three is not None and "P-NEW" in three.of("products")
    with pytest.raises(KeyError):
        imported.rollback(99)


def test_a_stale_save_is_refused_and_the_service_plans_again(
    db: Database, imported: KnowledgeService
) -> None:
    other = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    imported.import_rows([stock_row("TSH-RED-M", 7)])  # version 2, unseen by `other`
    with pytest.raises(KnowledgeConflict):
        SqlKnowledgeRepository(db).save(
            KnowledgeSnapshot(2, NOW, other.snapshot.records), KnowledgeChange()
        )
    report = other.import_rows([stock_row("SHO-42", 9)])  # planned on 1, saved as 3
    assert report.applied and other.snapshot.revision == 3
    assert quantity(other, "TSH-RED-M") == 7  # the change saved first is kept
    assert quantity(other, "SHO-42") == 9
