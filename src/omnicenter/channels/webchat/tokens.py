"""Visitor tokens: an HMAC over the visitor id and an expiry, so a visitor can only read and
write their own conversation and the server keeps no session table for it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = ["sign_visitor", "verify_visitor"]


def _mac(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def sign_visitor(secret: bytes, visitor_id: str, ttl_s: int = 30 * 86400) -> str:
    payload = f"{visitor_id}.{int(time.time()) + ttl_s}"
    return f"{payload}.{_mac(secret, payload)}"


def verify_visitor(secret: bytes, token: str) -> str | None:
    try:
        visitor_id, expiry, mac = token.rsplit(".", 2)
        expires = int(expiry)
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(secret, f"{visitor_id}.{expiry}"), mac):
        return None
    if expires < time.time():
        return None
    return visitor_id
