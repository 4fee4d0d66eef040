"""Agents' phones log in with their omnicenter username and a SIP password derived from the
server secret, so nothing is stored and rotating `secret_key` rotates every password."""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["sip_password"]


def sip_password(secret: bytes, username: str) -> str:
    """An agent's SIP digest password, derived from the server secret."""
    mac = hmac.new(secret, b"sip-password:" + username.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac)[:20].decode()
