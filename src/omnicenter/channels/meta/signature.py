"""Meta's webhook security: the subscription handshake and `X-Hub-Signature-256`.

Every POST Meta sends carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body
keyed with the app secret>`. It is checked over the bytes as received, before any parsing:
JSON that is parsed and serialised again need not give the same bytes (Meta escapes
non-ASCII characters as `\\uXXXX`), so only the raw body can be verified. The comparison
is constant-time. An unset secret verifies nothing: every request is refused.
"""

from __future__ import annotations

import hashlib
import hmac

from omnicenter.channels.errors import ChannelError

__all__ = ["SIGNATURE_HEADER", "sign_body", "verify_handshake", "verify_signature"]

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign_body(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for `body` (also what tests and the demo sign with)."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(app_secret: str, body: bytes, header: str | None) -> None:
    """Raises `ChannelError` (403) unless `header` is the signature of `body`; 503 when no
    app secret is configured (nothing can be verified, so nothing is accepted)."""
    if not app_secret:
        raise ChannelError("OMNICENTER_META_APP_SECRET is not set: webhooks refused", status=503)
    if not header:
        raise ChannelError(f"missing {SIGNATURE_HEADER}", status=403)
    expected = sign_body(app_secret, body)
    if not hmac.compare_digest(expected.encode(), header.strip().encode()):
        raise ChannelError(f"invalid {SIGNATURE_HEADER}", status=403)


def verify_handshake(
    verify_token: str, mode: str | None, token: str | None, challenge: str | None
) -> str:
    """The `hub.challenge` to echo when Meta subscribes the webhook with our verify token;
    `ChannelError` (403) otherwise, 503 when no verify token is configured."""
    if not verify_token:
        raise ChannelError(
            "OMNICENTER_META_VERIFY_TOKEN is not set: subscription refused", status=503
        )
    # the token first: whoever does not have it is refused before anything else is said
    if token is None or not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise ChannelError("hub.verify_token does not match", status=403)
    if mode != "subscribe" or challenge is None:
        raise ChannelError("expected hub.mode=subscribe with a hub.challenge", status=400)
    return challenge
