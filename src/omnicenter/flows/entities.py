"""Values a customer gives before being asked: "gdzie jest zamówienie 10001?".

A collect step takes such a value instead of asking for it. Only values that cannot be
mistaken are read from free text: an order number (four to eight digits, or with "nr"/"#"
in front; nine digits are a phone number) and an email address.
"""

from __future__ import annotations

import re

from omnicenter.flows.model import CollectKind

__all__ = ["entities_in"]

_ORDER = re.compile(
    r"(?:(?:nr|no|numer|number)\.?\s*|#\s*)([a-z]{0,4}-?\d{3,12})\b|(?<![\d+-])\b(\d{4,8})\b(?![\d-])",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^@\s,;:<>()]+@[^@\s,;:<>()]+\.[a-z]{2,}", re.IGNORECASE)


def entities_in(text: str) -> dict[CollectKind, str]:
    """Each kind found exactly once in `text` (two order numbers: ask which)."""
    found: dict[CollectKind, str] = {}
    orders = {(m.group(1) or m.group(2)).upper() for m in _ORDER.finditer(text)}
    if len(orders) == 1:
        found[CollectKind.ORDER_NUMBER] = orders.pop()
    emails = {m.group(0).lower().rstrip(".") for m in _EMAIL.finditer(text)}
    if len(emails) == 1:
        found[CollectKind.EMAIL] = emails.pop()
    return found
