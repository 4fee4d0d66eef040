"""The single source of truth, kept current while the service runs.

Knowledge comes from the database (default) or `data_dir/knowledge.json`; a catalog folder
seeds an empty database. While running, the service reloads when another process saves a
version (`omnicenter knowledge import`, a second node), and pulls the shop on its interval
when a WooCommerce connector is configured.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from omnicenter.knowledge import (
    FileKnowledgeRepository,
    KnowledgeChange,
    KnowledgeService,
    watch_versions,
)
from omnicenter.knowledge.connectors import PullSchedule, WooCommerceConnector, run_pull_loop
from omnicenter.settings import Settings
from omnicenter.store.db import Database
from omnicenter.store.knowledge import SqlKnowledgeRepository

__all__ = ["KnowledgeUpdates", "open_knowledge", "shop_connector"]


async def open_knowledge(settings: Settings, db: Database) -> KnowledgeService | None:
    """The knowledge the service answers from. None with a file store and a catalog folder
    but no shop: the bot then imports that folder itself."""
    catalog = Path(settings.bot_catalog) if settings.bot_catalog else None
    if settings.knowledge_store == "file":
        if catalog is None or settings.woocommerce_url:
            return await asyncio.to_thread(
                KnowledgeService, FileKnowledgeRepository(settings.data_dir)
            )
        return None
    knowledge = await asyncio.to_thread(KnowledgeService, SqlKnowledgeRepository(db))
    if catalog is not None and knowledge.snapshot.revision == 0:
        # The catalog folder seeds an empty database; later changes are imports.
        files = sorted(p for p in catalog.iterdir() if p.is_file())
        change = KnowledgeChange(author="omnicenter", source=f"catalog {catalog}")
        report = await asyncio.to_thread(knowledge.import_files, files, None, change=change)
        if not report.applied:
            problems = "; ".join(str(r) for r in report.rejected[:5])
            raise RuntimeError(f"catalog {catalog} was not imported: {problems}")
    return knowledge


def shop_connector(settings: Settings) -> WooCommerceConnector | None:
    if not settings.woocommerce_url:
        return None
    return WooCommerceConnector(
        settings.woocommerce_url,
        settings.woocommerce_consumer_key,
        settings.woocommerce_consumer_secret.get_secret_value(),
        settings.woocommerce_webhook_secret.get_secret_value(),
    )


class KnowledgeUpdates:
    """Live: reload versions saved elsewhere (database store) and pull the shop."""

    def __init__(
        self,
        knowledge: KnowledgeService,
        *,
        reload_s: float,
        watch: bool,
        shop: WooCommerceConnector | None = None,
        pull_interval_s: float = 0.0,
    ) -> None:
        self.knowledge = knowledge
        self.reload_s = reload_s
        self.watch = watch
        self.shop = shop
        self.pull_interval_s = pull_interval_s
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        if self.watch:
            self._tasks.append(
                asyncio.create_task(watch_versions(self.knowledge, self.reload_s, self._stop))
            )
        if self.shop is not None and self.pull_interval_s > 0:
            schedule = PullSchedule(interval=timedelta(seconds=self.pull_interval_s))
            self._tasks.append(
                asyncio.create_task(run_pull_loop(self.shop, self.knowledge, schedule, self._stop))
            )

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            await task
