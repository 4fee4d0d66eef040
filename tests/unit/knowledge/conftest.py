from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.knowledge import InMemoryKnowledgeRepository, KnowledgeService

CATALOG = Path(__file__).resolve().parents[3] / "examples" / "catalog"
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)  # a Thursday


@pytest.fixture
def service() -> KnowledgeService:
    svc = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    report = svc.import_files(sorted(CATALOG.iterdir()))
    assert report.applied, report.rejected
    return svc
