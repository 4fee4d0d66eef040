"""Shop pushes and scheduled pulls become versions in SQL, each delivery applied once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import httpx

from omnicenter.knowledge import ImportReport, KnowledgeService, PriceFact
from omnicenter.knowledge.connectors import (
    PullSchedule,
    WooCommerceConnector,
    receive_webhook,
    run_pull_loop,
)
from omnicenter.store import Database
from omnicenter.store.knowledge import SqlKnowledgeRepository

from .conftest import NOW

SHOP_FIXTURES = Path(__file__).resolve().parents[2] / "unit" / "knowledge" / "fixtures"
SECRET = "whsec"


def shop(secret: str = SECRET) -> WooCommerceConnector:
    pages = {
        "/wp-json/wc/v3/products": "wc_products_page1.json",
        "/wp-json/wc/v3/products/801/variations": "wc_variations_801.json",
        "/wp-json/wc/v3/orders": "wc_orders_page1.json",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        body = (SHOP_FIXTURES / pages[request.url.path]).read_bytes()
        return httpx.Response(200, content=body, headers={"X-WP-TotalPages": "1"})

    return WooCommerceConnector(
        "https://shop.example.com",
        "ck",
        "cs",
        webhook_secret=secret,
        transport=httpx.MockTransport(handler),
    )


def delivery(product: dict[str, object], delivery_id: str) -> tuple[dict[str, str], bytes]:
    body = json.dumps(product).encode()
    signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
    return {
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": signature.decode(),
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }, body


def mug() -> dict[str, object]:
    products = json.loads((SHOP_FIXTURES / "wc_products_page1.json").read_text())
    found: dict[str, object] = next(p for p in products if p["sku"] == "WC-MUG")
    return found


def test_the_same_delivery_twice_makes_one_version(db: Database) -> None:
    service = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    headers, body = delivery(mug(), "41")
    first = receive_webhook(shop(), service, headers, body)
    again = receive_webhook(shop(), service, headers, body)
    assert first.applied and not first.unchanged
    assert again.applied and again.unchanged
    # A second process receiving the redelivery does not apply it either.
    other = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    assert receive_webhook(shop(), other, headers, body).unchanged
    (version,) = service.history()
    assert (version.version, version.author, version.delivery_id) == (
        1,
        "woocommerce",
        "woocommerce:41",
    )
    assert version.source == "woocommerce product.updated"


def test_a_new_delivery_with_a_new_price_is_a_partial_update(db: Database) -> None:
    service = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    receive_webhook(shop(), service, *delivery(mug(), "41"))
    cheaper = {**mug(), "regular_price": "19.90", "sale_price": "", "date_on_sale_to_gmt": None}
    report = receive_webhook(shop(), service, *delivery(cheaper, "42"))
    assert report.applied and not report.unchanged
    newest = service.history()[0]
    assert newest.version == 2 and 0 < newest.changed < newest.records
    fresh = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    price = fresh.base.price("WC-MUG", at=NOW)
    assert isinstance(price, PriceFact) and price.list_minor == 1990


async def test_scheduled_pulls_save_a_version_only_when_the_shop_changed(db: Database) -> None:
    service = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    stop = asyncio.Event()
    reports: list[ImportReport | Exception] = []

    def on_report(report: ImportReport | Exception) -> None:
        reports.append(report)
        if len(reports) == 3:
            stop.set()

    schedule = PullSchedule(interval=timedelta(0), retry_after=timedelta(0))
    await run_pull_loop(shop(), service, schedule, stop, on_report)
    assert all(isinstance(r, ImportReport) and r.applied for r in reports)
    assert [r.unchanged for r in reports if isinstance(r, ImportReport)] == [False, True, True]
    (version,) = service.history()
    assert (version.author, version.source) == ("woocommerce", "woocommerce pull")
    fresh = KnowledgeService(SqlKnowledgeRepository(db), clock=lambda: NOW)
    assert fresh.snapshot.records == service.snapshot.records
