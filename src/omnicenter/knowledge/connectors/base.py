"""The connector port, pulling on a schedule, and applying pushed deliveries once."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from omnicenter.knowledge.importer import ImportReport, RawRow
from omnicenter.knowledge.repository import KnowledgeChange
from omnicenter.knowledge.service import KnowledgeService

__all__ = [
    "PullSchedule",
    "ShopConnector",
    "WebhookRejected",
    "delivery_id",
    "receive_webhook",
    "run_pull_loop",
    "sync_once",
]

# Headers shops put a per-delivery id in (WooCommerce, Shopify, generic).
DELIVERY_HEADERS = ("x-wc-webhook-delivery-id", "x-shopify-webhook-id", "x-delivery-id")


class WebhookRejected(ValueError):
    """A webhook delivery that must not be applied (bad signature, unknown topic, bad body)."""


class ShopConnector(Protocol):
    name: str

    def pull(self, since: datetime | None) -> list[RawRow]:
        """Everything changed since `since` (everything when None), as import rows."""
        ...

    def webhook_rows(self, headers: Mapping[str, str], body: bytes) -> list[RawRow]:
        """Rows from one pushed delivery; raises `WebhookRejected` when it is not genuine."""
        ...


def sync_once(
    connector: ShopConnector, service: KnowledgeService, since: datetime | None
) -> ImportReport:
    """One pull as one version; a pull that changes nothing saves nothing."""
    change = KnowledgeChange(author=connector.name, source=f"{connector.name} pull")
    return service.import_rows(connector.pull(since), change=change)


def delivery_id(connector: ShopConnector, headers: Mapping[str, str], body: bytes) -> str:
    """The shop's id of this delivery, or (when it sends none) a digest of the body:
    either way a redelivery carries the same id."""
    lower = {k.lower(): v for k, v in headers.items()}
    for name in DELIVERY_HEADERS:
        if lower.get(name, "").strip():
            return f"{connector.name}:{lower[name].strip()}"
    return f"{connector.name}:sha256:{hashlib.sha256(body).hexdigest()}"


def receive_webhook(
    connector: ShopConnector, service: KnowledgeService, headers: Mapping[str, str], body: bytes
) -> ImportReport:
    """Verify and apply one pushed delivery as a new version, at most once per delivery id.

    Raises `WebhookRejected` for a delivery that is not genuine; rejected rows come back
    in the report (answer the shop 2xx only when `report.applied`)."""
    rows = connector.webhook_rows(headers, body)
    topic = {k.lower(): v for k, v in headers.items()}.get("x-wc-webhook-topic", "webhook")
    change = KnowledgeChange(
        author=connector.name,
        source=f"{connector.name} {topic}",
        delivery_id=delivery_id(connector, headers, body),
    )
    return service.import_rows(rows, change=change)


@dataclass(frozen=True, slots=True)
class PullSchedule:
    """Pull every `interval`; after a failed pull, retry sooner but not in a tight loop."""

    interval: timedelta = timedelta(minutes=15)
    retry_after: timedelta = timedelta(minutes=1)

    def next_run(self, finished_at: datetime, ok: bool) -> datetime:
        return finished_at + (self.interval if ok else self.retry_after)


async def run_pull_loop(
    connector: ShopConnector,
    service: KnowledgeService,
    schedule: PullSchedule,
    stop: asyncio.Event,
    on_report: Callable[[ImportReport | Exception], None] = lambda _: None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Pull incrementally until `stop` is set. The HTTP pull runs in a worker thread."""
    since: datetime | None = None
    while not stop.is_set():
        started = clock()
        try:
            report = await asyncio.to_thread(sync_once, connector, service, since)
        except Exception as exc:  # a shop being down must not end the loop
            on_report(exc)
            ok = False
        else:
            on_report(report)
            ok = report.applied
            if ok:
                since = started
        delay = (schedule.next_run(clock(), ok) - clock()).total_seconds()
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, delay))
        except TimeoutError:
            continue
