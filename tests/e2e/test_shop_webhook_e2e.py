"""A WooCommerce webhook on the real server: signed deliveries become knowledge versions once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import ServerProcess

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "knowledge" / "fixtures"
SECRET = "whsec-e2e"


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path_factory.mktemp("shop"),
        env_extra={
            "OMNICENTER_BOT_ENABLED": "true",
            "OMNICENTER_BOT_FLOW": str(EXAMPLES / "flows" / "shop.yaml"),
            "OMNICENTER_BOT_CATALOG": str(EXAMPLES / "catalog"),
            "OMNICENTER_WOOCOMMERCE_URL": "http://127.0.0.1:9",  # pushes only: no pulls
            "OMNICENTER_WOOCOMMERCE_WEBHOOK_SECRET": SECRET,
            "OMNICENTER_KNOWLEDGE_PULL_INTERVAL_S": "0",
        },
    )
    proc.start()
    yield proc
    proc.stop()


def _delivery(
    product: dict[str, object], delivery_id: str, secret: str = SECRET
) -> dict[str, object]:
    body = json.dumps(product).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "product.updated",
        "X-WC-Webhook-Signature": signature.decode(),
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }
    return {"headers": headers, "content": body}


def test_a_signed_delivery_is_one_new_version_and_a_forged_one_is_refused(
    shop_server: ServerProcess,
) -> None:
    url = shop_server.base + "/api/v1/channels/shop/woocommerce"
    products = json.loads((FIXTURES / "wc_products_page1.json").read_text())
    mug = next(p for p in products if p["sku"] == "WC-MUG")
    first = httpx.post(url, **_delivery(mug, "e2e-1"))  # type: ignore[arg-type]
    assert first.status_code == 200, first.text
    assert first.json()["unchanged"] is False and first.json()["revision"] >= 2
    again = httpx.post(url, **_delivery(mug, "e2e-1"))  # type: ignore[arg-type]
    assert again.status_code == 200 and again.json()["unchanged"] is True
    assert again.json()["revision"] == first.json()["revision"]
    forged = httpx.post(url, **_delivery({**mug, "price": "0.01"}, "e2e-2", "guess"))  # type: ignore[arg-type]
    assert forged.status_code == 401
    unsigned = httpx.post(url, content=b"{}", headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    bad = httpx.post(url, **_delivery({"id": "x"}, "e2e-3"))  # type: ignore[arg-type]
    assert bad.status_code in (400, 422) and bad.json()["detail"]
