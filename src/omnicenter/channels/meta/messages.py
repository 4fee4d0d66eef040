"""What a messaging webhook carries, before it becomes an `InboundEvent`: customers'
messages (with the media they point at) and status callbacks for what we sent.

The four messaging adapters (WhatsApp, Messenger, Instagram, Telegram) parse their
provider's payload into these, download the media (`media.download_all`), and `receive`
one `ChatMessage` at a time (`to_inbound`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from omnicenter.domain import Attachment, Channel, InboundEvent

__all__ = ["ChatMessage", "MediaRef", "StatusUpdate", "Webhook", "to_inbound"]


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A file a message points at: a provider id (WhatsApp media id, Telegram file id) or a
    URL (Messenger and Instagram attachments), fetched by the adapter."""

    ref: str
    content_type: str
    filename: str


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One customer message. `message_id` is the provider's id (idempotency key);
    `sender` the customer's address on the channel (a phone number in E.164 for WhatsApp,
    a PSID, an IGSID, a Telegram user id); `kind` the provider's message type (`text`,
    `image`, `location`, `button`, `contacts`, ...); `fields` what the customer told us
    about themselves (a shared contact's phone), used for identity claims."""

    message_id: str
    sender: str
    recipient: str | None
    body: str
    kind: str
    sender_name: str | None = None
    media: tuple[MediaRef, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def with_attachments(self, files: tuple[Attachment, ...]) -> ChatMessage:
        return replace(self, attachments=files)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """The provider's word on a message we sent: `sent`, `delivered`, `read`, `failed`
    (with its error code and title)."""

    message_ref: str
    status: str
    recipient: str
    at: datetime | None = None
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True, slots=True)
class Webhook:
    """Everything one webhook delivery carried, in order."""

    messages: tuple[ChatMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()


def to_inbound(
    channel: Channel,
    msg: ChatMessage,
    received_at: datetime,
    *,
    provider: str,
    sender_kind: str | None = None,
) -> InboundEvent:
    """The normalised event for `msg`. Media not downloaded stay listed in `meta["media"]`
    (id, type), so a later fetch can find them."""
    meta: dict[str, Any] = {"provider": provider, "message_type": msg.kind, **msg.extra}
    fetched = {a.filename for a in msg.attachments}
    missing = [
        {"ref": m.ref, "content_type": m.content_type}
        for m in msg.media
        if m.filename not in fetched
    ]
    if missing:
        meta["media"] = missing
    return InboundEvent(
        channel=channel,
        sender=msg.sender,
        recipient=msg.recipient,
        body=msg.body,
        received_at=received_at,
        idempotency_key=msg.message_id,
        message_ref=msg.message_id,
        sender_name=msg.sender_name,
        attachments=msg.attachments,
        fields=dict(msg.fields),
        meta=meta,
        sender_kind=sender_kind,
    )
