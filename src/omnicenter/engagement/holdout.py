"""The holdout group: a fixed share of customers a rule deliberately does not contact, so
its effect can be measured. Deterministic: the same customer and rule always fall the
same way, across restarts and processes."""

from __future__ import annotations

import hashlib

__all__ = ["in_holdout"]


def in_holdout(customer_id: str, rule_id: str, share: float) -> bool:
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{rule_id}\x00{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share
