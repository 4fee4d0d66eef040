"""The WooCommerce connector against payloads in the REST API v3 wire format."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from omnicenter.knowledge import (
    InMemoryKnowledgeRepository,
    KnowledgeService,
    OrderFact,
    OrderStatus,
    PriceFact,
    StockFact,
)
from omnicenter.knowledge.connectors import (
    WebhookRejected,
    WooCommerceConnector,
    map_order,
    sync_once,
)

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)


def load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_shop(requests: list[httpx.Request]) -> httpx.MockTransport:
    pages = {
        "/wp-json/wc/v3/products": "wc_products_page1.json",
        "/wp-json/wc/v3/products/801/variations": "wc_variations_801.json",
        "/wp-json/wc/v3/orders": "wc_orders_page1.json",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = (FIXTURES / pages[request.url.path]).read_bytes()
        return httpx.Response(200, content=body, headers={"X-WP-TotalPages": "1"})

    return httpx.MockTransport(handler)


@pytest.fixture
def synced() -> tuple[KnowledgeService, list[httpx.Request]]:
    requests: list[httpx.Request] = []
    connector = WooCommerceConnector(
        "https://shop.example.com", "ck_test", "cs_test", transport=recorded_shop(requests)
    )
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    report = sync_once(connector, service, since=None)
    assert report.applied, report.rejected
    return service, requests


def test_pull_maps_products_variations_stock_and_sale(
    synced: tuple[KnowledgeService, list[httpx.Request]],
) -> None:
    service, requests = synced
    assert {r.url.path for r in requests} == {
        "/wp-json/wc/v3/products",
        "/wp-json/wc/v3/products/801/variations",
        "/wp-json/wc/v3/orders",
    }
    assert requests[0].headers["Authorization"].startswith("Basic ")
    mug = service.base.price("WC-MUG", at=NOW)
    assert isinstance(mug, PriceFact)
    assert (mug.list_minor, mug.final_minor) == (2990, 2490)  # sale until 2025-03-31 21:59:59Z
    after_sale = service.base.price("WC-MUG", at=datetime(2025, 4, 1, tzinfo=UTC))
    assert isinstance(after_sale, PriceFact) and after_sale.final_minor == 2990
    assert mug.sources[0].origin == "woocommerce:product/799"
    tee_m, tee_l = service.base.stock("WC-TEE-M"), service.base.stock("WC-TEE-L")
    assert isinstance(tee_m, StockFact) and tee_m.available == 5
    assert isinstance(tee_l, StockFact) and tee_l.available == 0


def test_pull_maps_orders_with_tracking(
    synced: tuple[KnowledgeService, list[httpx.Request]],
) -> None:
    service, _ = synced
    order = service.base.order("727", email="anna@example.com")
    assert isinstance(order, OrderFact)
    assert order.status is OrderStatus.SHIPPED  # WooCommerce "completed"
    assert (order.carrier, order.tracking) == ("InPost", "620000000000000000000727")
    assert order.total_minor == 11179
    held = service.base.order("728")
    assert isinstance(held, OrderFact) and held.status is OrderStatus.ON_HOLD


def test_incremental_pull_asks_for_changes_since_the_last_one() -> None:
    requests: list[httpx.Request] = []
    connector = WooCommerceConnector(
        "https://shop.example.com", "k", "s", transport=recorded_shop(requests)
    )
    connector.pull(datetime(2025, 3, 19, 8, 30, tzinfo=UTC))
    assert requests[0].url.params["modified_after"] == "2025-03-19T08:30:00"
    assert requests[0].url.params["dates_are_gmt"] == "true"


def _signed(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_signed_webhook_updates_knowledge() -> None:
    connector = WooCommerceConnector("https://shop.example.com", "k", "s", webhook_secret="whsec")
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    product = load("wc_products_page1.json")[0]  # type: ignore[index]
    body = json.dumps(product).encode()
    headers = {
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": _signed(body, "whsec"),
    }
    report = service.import_rows(connector.webhook_rows(headers, body))
    assert report.applied
    assert isinstance(service.base.price("WC-MUG"), PriceFact)


def test_webhook_with_a_bad_signature_is_rejected() -> None:
    connector = WooCommerceConnector("https://shop.example.com", "k", "s", webhook_secret="whsec")
    body = b'{"id": 1}'
    with pytest.raises(WebhookRejected):
        connector.webhook_rows(
            {
                "X-WC-Webhook-Topic": "order.updated",
                "X-WC-Webhook-Signature": _signed(body, "other"),
            },
            body,
        )
    with pytest.raises(WebhookRejected):
        connector.webhook_rows({"X-WC-Webhook-Topic": "order.updated"}, body)


def test_unknown_order_status_is_rejected_by_the_import() -> None:
    row = map_order(
        {"id": 9, "number": "9", "status": "trash", "date_created_gmt": "2025-03-01T00:00:00"}
    )
    service = KnowledgeService(InMemoryKnowledgeRepository(), clock=lambda: NOW)
    report = service.import_rows([row])
    assert not report.applied
    assert report.rejected[0].file == "woocommerce:order/9"
    assert "field 'status' must be one of" in report.rejected[0].reason
