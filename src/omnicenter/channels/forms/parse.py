"""Contact-form submissions (form-encoded or JSON) to `InboundEvent`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from omnicenter.channels.errors import ChannelError
from omnicenter.domain import Channel, InboundEvent

__all__ = ["MAX_FIELDS", "MAX_FIELD_CHARS", "FormSubmission", "parse_submission"]

MAX_FIELDS = 50
MAX_FIELD_CHARS = 20_000
MESSAGE_FIELDS = ("message", "body", "text", "comment", "question")


@dataclass(frozen=True, slots=True)
class FormSubmission:
    """One post of the form `form_key`: its fields as the request carried them (text from a
    form, any JSON value from a JSON body) and the client's `Idempotency-Key`, if any."""

    form_key: str
    fields: Mapping[str, object]
    idempotency_key: str | None = None


def parse_submission(
    form_key: str,
    fields: Mapping[str, object],
    received_at: datetime,
    idempotency_key: str | None = None,
) -> InboundEvent:
    """Fields starting with `_` (honeypots, tokens) are dropped; the message is the first of
    `MESSAGE_FIELDS` given, else every field as `name: value` lines. Without a key, the
    content is the key: the same form posted twice is one case."""
    if len(fields) > MAX_FIELDS:
        raise ChannelError(f"{len(fields)} fields, the limit is {MAX_FIELDS}", status=413)
    clean: dict[str, str] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not name or len(name) > 100:
            raise ChannelError("field names must be 1-100 characters")
        if isinstance(value, bool | int | float):
            value = str(value)
        if not isinstance(value, str):
            raise ChannelError(f"field {name!r} must be text")
        if len(value) > MAX_FIELD_CHARS:
            raise ChannelError(
                f"field {name!r} is {len(value)} characters, the limit is {MAX_FIELD_CHARS}",
                status=413,
            )
        if not name.startswith("_"):
            clean[name] = value.strip()
    email = clean.get("email", "")
    phone = clean.get("phone", "")
    if not email and not phone:
        raise ChannelError("a form needs an 'email' or 'phone' field so that we can answer")
    message = next((clean[f] for f in MESSAGE_FIELDS if clean.get(f)), "")
    if not message:
        message = "\n".join(f"{k}: {v}" for k, v in clean.items())
    key = (
        idempotency_key
        or hashlib.sha256(
            json.dumps([form_key, sorted(clean.items())], ensure_ascii=False).encode()
        ).hexdigest()
    )
    return InboundEvent(
        channel=Channel.FORM,
        sender=email or phone,
        sender_name=clean.get("name") or None,
        subject=clean.get("subject") or None,
        body=message,
        received_at=received_at,
        idempotency_key=f"{form_key}:{key}",
        fields=clean,
        meta={"form": form_key},
    )
