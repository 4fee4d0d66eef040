"""What the email channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.EMAIL,
    realtime=False,  # an email waits in a queue; nobody is on the line
    media_types=("text/plain", "text/html", "message/rfc822", "*/*"),  # any attachment type
    max_length=None,
    security=SecurityLevel.PUBLIC,  # From is trivially forged without DMARC checks
    supports_html=True,
    supports_attachments=True,
)
