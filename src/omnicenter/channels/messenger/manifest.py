"""What the Messenger channel declares about itself."""

from __future__ import annotations

from datetime import timedelta

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import RichElement

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.MESSENGER,
    realtime=False,  # conversational, but the customer does not wait on the line
    media_types=("text/plain", "image/jpeg", "video/mp4", "audio/mp4"),
    max_length=2000,  # the Send API's limit for a text (UTF-8 characters)
    security=SecurityLevel.SESSION,  # tied to the customer's account
    rich=frozenset({RichElement.BUTTONS}),  # quick replies
    # Free-form messages within 24 hours of the customer's last message; a person may
    # answer up to 7 days later with the HUMAN_AGENT tag (the adapter adds it).
    reply_window=timedelta(hours=24),
    agent_reply_window=timedelta(days=7),  # the HUMAN_AGENT tag
)
