"""What the voice channel declares about itself (and a callback, which is a call too)."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.VOICE,
    realtime=True,  # the caller is on the line
    media_types=("audio/PCMU", "audio/PCMA", "audio/telephone-event"),
    max_length=None,
    security=SecurityLevel.PUBLIC,  # caller ID can be spoofed
    text_replies=False,  # a call is answered by talking; the IVR speaks its prompts
)
