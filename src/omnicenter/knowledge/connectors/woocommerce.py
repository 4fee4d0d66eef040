"""WooCommerce REST API v3 (`/wp-json/wc/v3`): products, variations and orders.

The mapping functions are pure and take the JSON objects exactly as the API returns
them. Prices are decimal strings; `*_gmt` timestamps carry no zone and are UTC; a
`sale_price` with `date_on_sale_from_gmt`/`date_on_sale_to_gmt` becomes a time-window
`fixed_price` rule, so the sale starts and ends on every channel at the same moment.
Tracking numbers come from the widely used Shipment Tracking extension's
`_wc_shipment_tracking_items` order meta.

Webhooks carry `X-WC-Webhook-Topic` (`product.updated`, `order.created`...) and
`X-WC-Webhook-Signature`, the base64 HMAC-SHA256 of the raw body with the webhook secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from omnicenter.knowledge.connectors.base import WebhookRejected
from omnicenter.knowledge.importer import RawRow

__all__ = ["WooCommerceConnector", "map_order", "map_product", "map_variation", "verify_signature"]

JSON = dict[str, Any]

_STATUS = {
    "pending": "pending",
    "checkout-draft": "pending",
    "processing": "processing",
    "on-hold": "on_hold",
    "completed": "shipped",  # WooCommerce's "fulfilled": the parcel has left the shop
    "cancelled": "cancelled",
    "refunded": "refunded",
    "failed": "failed",
}


def _gmt(value: object) -> str:
    """WooCommerce `*_gmt` fields are UTC without a zone suffix."""
    return f"{value}Z" if value and not str(value).endswith("Z") else str(value or "")


def _row(source: str, kind: str, row: JSON) -> RawRow:
    return RawRow(source, 0, kind, row)


def _sale_rule(source: str, sku: str, item: Mapping[str, Any]) -> list[RawRow]:
    sale = item.get("sale_price") or ""
    if not sale:
        return []
    return [
        _row(
            source,
            "rules",
            {
                "id": f"woo-sale-{sku}",
                "kind": "fixed_price",
                "value": sale,
                "skus": [sku],
                "label_pl": "Promocja",
                "label_en": "Sale",
                "valid_from": _gmt(item.get("date_on_sale_from_gmt")),
                "valid_until": _gmt(item.get("date_on_sale_to_gmt")),
                "priority": 50,
            },
        )
    ]


def _stock(source: str, sku: str, item: Mapping[str, Any], location: str) -> list[RawRow]:
    quantity = item.get("stock_quantity")
    if quantity is None:
        if item.get("stock_status") != "outofstock":
            return []  # the shop does not count this item: say nothing rather than guess
        quantity = 0
    return [_row(source, "stock", {"sku": sku, "location": location, "quantity": max(0, quantity)})]


def _variant(
    source: str, sku: str, product_id: str, item: Mapping[str, Any], attributes: dict[str, str]
) -> RawRow:
    return _row(
        source,
        "variants",
        {
            "sku": sku,
            "product_id": product_id,
            "price": item.get("regular_price") or item.get("price") or "0",
            "attributes": attributes,
            "active": item.get("status", "publish") == "publish",
        },
    )


def map_product(product: Mapping[str, Any], location: str = "online") -> list[RawRow]:
    """A product; for a simple product also its one variant, stock and sale rule."""
    product_id = f"wc-{product['id']}"
    source = f"woocommerce:product/{product['id']}"
    categories = product.get("categories") or []
    name = str(product.get("name", "")).strip()
    rows = [
        _row(
            source,
            "products",
            {
                "id": product_id,
                "name_pl": name,
                "name_en": name,
                "category": categories[0]["slug"] if categories else "",
                "description_pl": product.get("short_description", ""),
                "description_en": product.get("short_description", ""),
            },
        )
    ]
    if product.get("type", "simple") != "variable":
        sku = product.get("sku") or product_id
        rows.append(_variant(source, sku, product_id, product, {}))
        rows += _stock(source, sku, product, location)
        rows += _sale_rule(source, sku, product)
    return rows


def map_variation(
    product_id: int, variation: Mapping[str, Any], location: str = "online"
) -> list[RawRow]:
    """One variation of a variable product: its variant, stock and sale rule."""
    source = f"woocommerce:product/{product_id}/variation/{variation['id']}"
    sku = variation.get("sku") or f"wc-{product_id}-{variation['id']}"
    attributes = {str(a["name"]).lower(): str(a["option"]) for a in variation.get("attributes", [])}
    rows = [_variant(source, sku, f"wc-{product_id}", variation, attributes)]
    rows += _stock(source, sku, variation, location)
    rows += _sale_rule(source, sku, variation)
    return rows


def _tracking(order: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(carrier, number, url, shipped_at) from Shipment Tracking meta, or empty strings."""
    for meta in order.get("meta_data", []):
        if meta.get("key") == "_wc_shipment_tracking_items" and meta.get("value"):
            item = meta["value"][0]
            shipped = item.get("date_shipped")
            shipped_at = (
                datetime.fromtimestamp(int(shipped), UTC).isoformat()
                if shipped and str(shipped).isdigit()
                else ""
            )
            return (
                str(item.get("tracking_provider") or item.get("custom_tracking_provider") or ""),
                str(item.get("tracking_number", "")),
                str(item.get("custom_tracking_link", "")),
                shipped_at,
            )
    return "", "", "", ""


def map_order(order: Mapping[str, Any]) -> RawRow:
    carrier, tracking, url, shipped_at = _tracking(order)
    status = _STATUS.get(str(order.get("status")), str(order.get("status")))
    lines = [
        {"sku": item["sku"], "quantity": item["quantity"]}
        for item in order.get("line_items", [])
        if item.get("sku")
    ]
    return _row(
        f"woocommerce:order/{order['id']}",
        "orders",
        {
            "number": str(order.get("number") or order["id"]),
            "status": status,
            "placed_at": _gmt(order.get("date_created_gmt")),
            "email": (order.get("billing") or {}).get("email", ""),
            "lines": lines,
            "total": order.get("total", "0"),
            "currency": order.get("currency", "PLN"),
            "carrier": carrier,
            "tracking": tracking,
            "tracking_url": url,
            "shipped_at": shipped_at or _gmt(order.get("date_completed_gmt")),
        },
    )


def verify_signature(body: bytes, signature: str, secret: str) -> bool:
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


class WooCommerceConnector:
    """Pull over HTTP (basic auth with REST API keys) and accept signed webhooks.

    Pass `transport` (e.g. `httpx.MockTransport`) to run against recorded payloads.
    """

    name = "woocommerce"
    PAGE_SIZE = 100

    def __init__(
        self,
        base_url: str,
        consumer_key: str,
        consumer_secret: str,
        webhook_secret: str = "",
        *,
        location: str = "online",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/wp-json/wc/v3"
        self.webhook_secret = webhook_secret
        self.location = location
        self._auth = (consumer_key, consumer_secret)
        self._transport = transport
        self._timeout = timeout

    def _pages(self, client: httpx.Client, path: str, params: JSON) -> Iterator[JSON]:
        page = 1
        while True:
            response = client.get(path, params={**params, "per_page": self.PAGE_SIZE, "page": page})
            response.raise_for_status()
            yield from response.json()
            if page >= int(response.headers.get("X-WP-TotalPages", "1")):
                return
            page += 1

    def pull(self, since: datetime | None) -> list[RawRow]:
        params: JSON = {}
        if since is not None:
            params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            params["dates_are_gmt"] = "true"
        rows: list[RawRow] = []
        with httpx.Client(
            base_url=self.base_url,
            auth=self._auth,
            transport=self._transport,
            timeout=self._timeout,
        ) as client:
            for product in self._pages(client, "/products", params):
                rows += map_product(product, self.location)
                if product.get("type") == "variable":
                    for variation in self._pages(
                        client, f"/products/{product['id']}/variations", {}
                    ):
                        rows += map_variation(product["id"], variation, self.location)
            for order in self._pages(client, "/orders", params):
                rows.append(map_order(order))
        return rows

    def webhook_rows(self, headers: Mapping[str, str], body: bytes) -> list[RawRow]:
        lower = {k.lower(): v for k, v in headers.items()}
        if not self.webhook_secret or not verify_signature(
            body, lower.get("x-wc-webhook-signature", ""), self.webhook_secret
        ):
            raise WebhookRejected("bad or missing X-WC-Webhook-Signature")
        topic = lower.get("x-wc-webhook-topic", "")
        try:
            payload = json.loads(body)
        except json.JSONDecodeError as exc:
            raise WebhookRejected(f"body is not JSON: {exc.msg}") from None
        resource, _, event = topic.partition(".")
        if event == "deleted":
            return []  # deletions are left to a full pull; an import never deletes
        if resource == "product":
            if "parent_id" in payload and payload.get("parent_id"):
                return map_variation(int(payload["parent_id"]), payload, self.location)
            return map_product(payload, self.location)
        if resource == "order":
            return [map_order(payload)]
        raise WebhookRejected(f"unsupported topic {topic!r}")
