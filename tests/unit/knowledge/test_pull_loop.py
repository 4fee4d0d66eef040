from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from omnicenter.knowledge import ImportReport, InMemoryKnowledgeRepository, KnowledgeService, RawRow
from omnicenter.knowledge.connectors import PullSchedule, run_pull_loop

NOW = datetime(2025, 3, 20, tzinfo=UTC)


class FakeShop:
    name = "fake"

    def __init__(self, stop: asyncio.Event) -> None:
        self.since: list[datetime | None] = []
        self.stop = stop

    def pull(self, since: datetime | None) -> list[RawRow]:
        self.since.append(since)
        if len(self.since) == 1:
            raise ConnectionError("shop down")
        if len(self.since) == 3:
            self.stop.set()
        return [RawRow("fake:1", 0, "products", {"id": f"p{len(self.since)}", "name_en": "P"})]

    def webhook_rows(self, headers: Mapping[str, str], body: bytes) -> list[RawRow]:
        return []


async def test_pull_loop_survives_a_failure_and_pulls_incrementally() -> None:
    stop = asyncio.Event()
    shop = FakeShop(stop)
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    reports: list[ImportReport | Exception] = []
    schedule = PullSchedule(interval=timedelta(0), retry_after=timedelta(0))
    await run_pull_loop(shop, service, schedule, stop, reports.append, clock=lambda: NOW)
    assert isinstance(reports[0], ConnectionError)
    assert shop.since == [None, None, NOW]  # incremental only after a successful pull
    assert set(service.snapshot.of("products")) == {"p2", "p3"}
