"""The web chat channel adapter: visitor messages in, replies pushed to the visitor's tabs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnicenter.channels.base import Delivery
from omnicenter.channels.webchat.hub import VisitorHub
from omnicenter.channels.webchat.manifest import MANIFEST
from omnicenter.channels.webchat.parse import VisitorMessage, parse_visitor_message
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage

__all__ = ["WebchatChannel", "visitor_payload"]


def visitor_payload(msg: OutboundMessage) -> dict[str, Any]:
    """The widget's `message` frame for `msg`, with the bot's buttons when it has some."""
    payload: dict[str, Any] = {
        "type": "message",
        "event_id": msg.event_id,
        "author_type": msg.meta.get("author_type", "agent"),
        "body": msg.body,
    }
    if msg.meta.get("buttons"):
        payload["buttons"] = msg.meta["buttons"]
    return payload


class WebchatChannel:
    """`receive(VisitorMessage)`; `send(msg)` to every open tab of the visitor `msg.to`."""

    manifest: ChannelManifest = MANIFEST

    def __init__(self, hub: VisitorHub) -> None:
        self.hub = hub

    def receive(self, raw: VisitorMessage, *, received_at: datetime) -> InboundEvent:
        """Raises `ChannelError`: no text, a text over `MAX_TEXT_CHARS`, a bad `client_id`."""
        return parse_visitor_message(
            raw.visitor_id, raw.payload, received_at, raw.interaction_id, raw.name
        )

    async def send(self, msg: OutboundMessage) -> Delivery:
        """`sent` when a tab got it; `stored` when the visitor is away: they read it in the
        transcript when they come back. Never raises: a dropped socket is only a closed tab."""
        delivered = await self.hub.send(msg.to, visitor_payload(msg))
        return Delivery.sent() if delivered else Delivery.stored()
