"""What the WhatsApp channel declares about itself."""

from __future__ import annotations

from datetime import timedelta

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import RichElement

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.WHATSAPP,
    realtime=False,  # conversational, but the customer does not wait on the line
    media_types=(
        "text/plain",
        "image/jpeg",
        "image/png",
        "application/pdf",
        "audio/ogg",
        "video/mp4",
    ),
    max_length=4096,  # the Cloud API's limit for a text message body
    security=SecurityLevel.SESSION,  # tied to the customer's WhatsApp account
    rich=frozenset({RichElement.BUTTONS, RichElement.LISTS, RichElement.TEMPLATES}),
    # Free-form messages only within 24 hours of the customer's last message; after that
    # only an approved template (Meta's customer-service window).
    reply_window=timedelta(hours=24),
)
