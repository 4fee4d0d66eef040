from omnicenter.domain import Channel, ChannelManifest, SecurityLevel

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.SMS,
    realtime=False,
    media_types=("text/plain",),
    max_length=1600,
    security=SecurityLevel.PUBLIC,
)
