"""Twilio's inbound message webhook: form-encoded parameters signed with X-Twilio-Signature.

The signature is base64(HMAC-SHA1(auth token, URL + every parameter name and value, sorted
by name)), as Twilio documents for webhook security.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.sms.manifest import MANIFEST
from omnicenter.domain import Channel, InboundEvent

__all__ = ["TwilioParams", "compute_signature", "parse_webhook", "verify_signature"]

# A webhook's form parameters in the order they came, repeated names included.
TwilioParams: TypeAlias = Sequence[tuple[str, str]]


def compute_signature(auth_token: str, url: str, params: TwilioParams) -> str:
    payload = url + "".join(k + v for k, v in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_signature(
    auth_token: str, url: str, params: TwilioParams, signature: str | None
) -> bool:
    if not signature or not auth_token:
        return False
    expected = compute_signature(auth_token, url, params)
    return hmac.compare_digest(expected, signature)


def parse_webhook(
    params: TwilioParams, received_at: datetime, account_sid: str | None = None
) -> InboundEvent:
    form: dict[str, str] = {}
    for key, value in params:
        form.setdefault(key, value)
    missing = [k for k in ("MessageSid", "From", "To") if not form.get(k)]
    if missing:
        raise ChannelError(f"missing webhook parameter(s): {', '.join(missing)}")
    if "Body" not in form:
        raise ChannelError("missing webhook parameter: Body")
    if account_sid and form.get("AccountSid") != account_sid:
        raise ChannelError("AccountSid does not match this account", status=403)
    body = form["Body"]
    limit = MANIFEST.max_length  # Twilio delivers at most what it sends: one limit both ways
    if limit is not None and len(body) > limit:
        raise ChannelError(f"Body is {len(body)} characters, the limit is {limit}")
    try:
        num_media = int(form.get("NumMedia", "0") or 0)
    except ValueError as exc:
        raise ChannelError("NumMedia is not a number") from exc
    media = [
        {"url": form.get(f"MediaUrl{i}", ""), "content_type": form.get(f"MediaContentType{i}", "")}
        for i in range(min(num_media, 10))
    ]
    return InboundEvent(
        channel=Channel.SMS,
        sender=form["From"],
        recipient=form["To"],
        body=body,
        received_at=received_at,
        idempotency_key=form["MessageSid"],
        message_ref=form["MessageSid"],
        meta={"provider": "twilio", **({"media": media} if media else {})},
    )
