"""What the web chat channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import RichElement

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.WEBCHAT,
    realtime=True,  # the visitor waits in the widget
    media_types=("text/plain",),
    # A reply is one bubble, whatever its length; what visitors may type is bounded in
    # parse.py (MAX_TEXT_CHARS).
    max_length=None,
    security=SecurityLevel.SESSION,  # a signed visitor token, no proof of who they are
    rich=frozenset({RichElement.BUTTONS}),  # the bot's choices; a tap sends the value back
    supports_attachments=True,  # visitor uploads
)
