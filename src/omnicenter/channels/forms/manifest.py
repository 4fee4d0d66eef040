"""What the web form channel declares about itself."""

from __future__ import annotations

from omnicenter.domain import Channel, ChannelManifest, SecurityLevel

__all__ = ["MANIFEST"]

MANIFEST = ChannelManifest(
    channel=Channel.FORM,
    realtime=False,  # a submission waits in a queue like an email
    media_types=("application/x-www-form-urlencoded", "application/json"),
    max_length=None,  # nothing is sent on a form; fields are bounded in parse.py
    security=SecurityLevel.PUBLIC,  # anyone can type any address into a form
    # A form has no way back: the answer goes to the address it gave, by email when it gave
    # one, else by SMS to its phone.
    text_replies=False,
    answered_on=(Channel.EMAIL, Channel.SMS),
)
