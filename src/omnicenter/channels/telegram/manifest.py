"""What the Telegram channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import RichElement

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.TELEGRAM,
    realtime=False,  # conversational, but the customer does not wait on the line
    media_types=("text/plain", "image/jpeg", "application/octet-stream", "audio/ogg"),
    max_length=4096,  # sendMessage's limit, after entities parsing
    security=SecurityLevel.SESSION,  # tied to the customer's Telegram account
    rich=frozenset({RichElement.BUTTONS}),  # inline keyboards
    # No reply window: a bot may write to a user who started it until they block it.
)
