from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from omnicenter.flows import Flow, FlowEngine, load_flow
from omnicenter.knowledge import InMemoryKnowledgeRepository, KnowledgeService

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def shop_flow() -> Flow:
    return load_flow(ROOT / "examples" / "flows" / "shop.yaml")


@pytest.fixture
def knowledge() -> KnowledgeService:
    svc = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    report = svc.import_files(sorted((ROOT / "examples" / "catalog").iterdir()))
    assert report.applied, report.rejected
    return svc


@pytest.fixture
def engine(knowledge: KnowledgeService) -> FlowEngine:
    return FlowEngine(knowledge, clock=lambda: NOW)
