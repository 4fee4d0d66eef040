"""What the SMS channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel
from omnicenter.domain.channels import OverLength

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.SMS,
    realtime=False,  # a text waits in a queue; the customer reads the answer when it comes
    media_types=("text/plain",),
    # Twilio's limit for one message (10 segments), the same for what it delivers to us.
    max_length=1600,
    # Longer answers go as several texts: a refused bot answer would leave the customer with
    # nothing, and an agent would rather send two texts than shorten one.
    over_length=OverLength.SPLIT,
    security=SecurityLevel.PUBLIC,  # the sender number can be spoofed
)
