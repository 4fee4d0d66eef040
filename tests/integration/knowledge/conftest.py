from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.knowledge import KnowledgeChange, KnowledgeService
from omnicenter.store import Database
from omnicenter.store.knowledge import SqlKnowledgeRepository

CATALOG = Path(__file__).resolve().parents[3] / "examples" / "catalog"
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def catalog_files() -> list[Path]:
    return sorted(CATALOG.iterdir())


@pytest.fixture
def imported(db: Database) -> KnowledgeService:
    """The demo catalog imported into the database as version 1."""
    service = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    report = service.import_files(
        catalog_files(), change=KnowledgeChange(author="ops", source="demo catalog")
    )
    assert report.applied, report.rejected
    return service
