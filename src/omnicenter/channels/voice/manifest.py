"""What the voice channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.VOICE,
    realtime=True,
    media_types=("audio/PCMU", "audio/PCMA", "audio/telephone-event"),
    max_length=None,
    security=SecurityLevel.PUBLIC,  # caller ID can be spoofed
)
