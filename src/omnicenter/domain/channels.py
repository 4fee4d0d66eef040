"""Channels and what each one can do."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Channel", "ChannelManifest", "SecurityLevel"]


class Channel(enum.StrEnum):
    """A way a customer reaches us. The value is also the identity kind prefix."""

    WEBCHAT = "webchat"
    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    MESSENGER = "messenger"
    FORM = "form"
    CALLBACK = "callback"

    @property
    def realtime(self) -> bool:
        """A real-time contact waits on the line; a deferred one can wait in a queue for hours."""
        return self in (Channel.WEBCHAT, Channel.VOICE, Channel.MESSENGER)


class SecurityLevel(enum.IntEnum):
    """How much a channel can be trusted with; engagement rules compare against it."""

    PUBLIC = 0  # anyone can spoof the sender (SMS, plain email)
    SESSION = 1  # tied to a browser session or messenger account
    VERIFIED = 2  # the customer proved who they are (login, OTP)


@dataclass(frozen=True, slots=True)
class ChannelManifest:
    """What a channel adapter declares about itself (Home Assistant's manifest, for channels)."""

    channel: Channel
    realtime: bool
    media_types: tuple[str, ...]
    max_length: int | None
    security: SecurityLevel
    supports_html: bool = False
    supports_attachments: bool = False
