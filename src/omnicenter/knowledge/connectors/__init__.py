"""Connectors to outside shop systems: they turn a shop's wire format into import rows.

A connector never writes knowledge itself: its rows go through the same validated,
all-or-nothing import as a CSV file (`KnowledgeService.import_rows`).
"""

from omnicenter.knowledge.connectors.base import (
    PullSchedule,
    ShopConnector,
    WebhookRejected,
    delivery_id,
    receive_webhook,
    run_pull_loop,
    sync_once,
)
from omnicenter.knowledge.connectors.woocommerce import (
    WooCommerceConnector,
    map_order,
    map_product,
    map_variation,
    verify_signature,
)

__all__ = [
    "PullSchedule",
    "ShopConnector",
    "WebhookRejected",
    "WooCommerceConnector",
    "delivery_id",
    "map_order",
    "map_product",
    "map_variation",
    "receive_webhook",
    "run_pull_loop",
    "sync_once",
    "verify_signature",
]
