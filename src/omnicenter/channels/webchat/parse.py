"""Visitor messages from the widget's WebSocket or HTTP fallback, to `InboundEvent`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omnicenter.channels.errors import ChannelError
from omnicenter.domain import Channel, InboundEvent
from omnicenter.domain.ids import new_id

__all__ = ["MAX_TEXT_CHARS", "VisitorMessage", "parse_visitor_message"]

MAX_TEXT_CHARS = 4000  # what the widget lets a visitor type in one message


@dataclass(frozen=True, slots=True)
class VisitorMessage:
    """What the widget sent (`{"text": ..., "client_id": ...}`) and who sent it: the visitor
    id from their signed token; the interaction and name when the caller knows them."""

    visitor_id: str
    payload: Mapping[str, object] = field(default_factory=dict)
    interaction_id: str | None = None
    name: str | None = None


def parse_visitor_message(
    visitor_id: str,
    payload: Mapping[str, object],
    received_at: datetime,
    interaction_id: str | None,
    name: str | None = None,
) -> InboundEvent:
    text = payload.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ChannelError("'text' must be a non-empty string")
    if len(text) > MAX_TEXT_CHARS:
        raise ChannelError(f"message is {len(text)} characters, the limit is {MAX_TEXT_CHARS}")
    client_id = payload.get("client_id")
    if client_id is not None and (not isinstance(client_id, str) or not 1 <= len(client_id) <= 100):
        raise ChannelError("'client_id' must be a string of 1-100 characters")
    # The widget's own message id makes a resend after a dropped connection harmless.
    key = f"{visitor_id}:{client_id}" if client_id else new_id("wcm")
    meta: dict[str, Any] = {"session_id": visitor_id}
    if interaction_id:
        meta["interaction_id"] = interaction_id
    if client_id:
        meta["client_message_id"] = client_id
    return InboundEvent(
        channel=Channel.WEBCHAT,
        sender=visitor_id,
        sender_name=name,
        body=text.strip(),
        received_at=received_at,
        idempotency_key=key,
        meta=meta,
    )
