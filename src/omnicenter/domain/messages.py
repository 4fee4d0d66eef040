"""The one normalised shape every channel adapter produces and consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnicenter.domain.channels import Channel

__all__ = ["Attachment", "DeliveryStatus", "InboundEvent", "OutboundMessage"]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """A customer's message as the core sees it, whatever channel it came from.

    `sender` is the channel address (`+48601234567`, `ann@example.com`, a visitor id).
    `idempotency_key` is the channel's own id for the message (Message-ID, provider SID,
    client message id): a second delivery with the same key is recognised and dropped.
    `thread_refs` are channel-specific pointers to earlier messages (email References).
    `sender_kind` is the identity kind of `sender` when the channel's usual one does not
    fit (a call from a SIP user rather than a phone number: `sip`).
    """

    channel: Channel
    sender: str
    body: str
    received_at: datetime
    idempotency_key: str
    recipient: str | None = None
    subject: str | None = None
    sender_name: str | None = None
    html: str | None = None
    thread_refs: tuple[str, ...] = ()
    message_ref: str | None = None
    attachments: tuple[Attachment, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    sender_kind: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message to a customer, handed to the adapter of the chosen channel."""

    channel: Channel
    to: str
    body: str
    interaction_id: str
    event_id: str
    subject: str | None = None
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


class DeliveryStatus(enum.StrEnum):
    """Where an outbound message is: waiting (or retrying), handed to its channel, kept for
    later (a gateway-less SMS, a chat visitor who is away), or given up on."""

    PENDING = "pending"
    SENT = "sent"
    STORED = "stored"
    FAILED = "failed"
