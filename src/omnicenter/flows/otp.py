"""One-time codes that prove a customer owns an order: pure functions of a secret.

The code is derived, not stored: HMAC-SHA256(secret, conversation, address, issue time)
read as six digits. The conversation state keeps the address and the issue time (never
the code), so checking needs the same secret and nothing else: no table of codes, and a
code is worthless in another conversation, for another address or after `CODE_TTL`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

__all__ = ["CODE_TTL", "MAX_ATTEMPTS", "check_code", "issue_code"]

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 3  # wrong codes before a person takes over
_DIGITS = 6


def issue_code(secret: bytes, conversation_id: str, address: str, issued_at: datetime) -> str:
    message = f"{conversation_id}\n{address}\n{issued_at.isoformat()}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**_DIGITS).zfill(_DIGITS)


def check_code(
    secret: bytes,
    conversation_id: str,
    address: str,
    issued_at: datetime,
    typed: str,
    now: datetime,
    ttl: timedelta = CODE_TTL,
) -> bool:
    """True when `typed` is the code issued at `issued_at` and it has not expired."""
    if not issued_at <= now <= issued_at + ttl:
        return False
    digits = "".join(ch for ch in typed if ch.isdigit())
    expected = issue_code(secret, conversation_id, address, issued_at)
    return hmac.compare_digest(digits, expected)
