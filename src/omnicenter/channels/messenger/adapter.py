"""The Messenger channel adapter: the Messenger Platform's webhooks and Send API."""

from __future__ import annotations

from typing import ClassVar

from omnicenter.channels.messenger.manifest import MANIFEST
from omnicenter.channels.meta.send_api_channel import SendApiChannel
from omnicenter.domain import ChannelManifest

__all__ = ["MessengerChannel"]


class MessengerChannel(SendApiChannel):
    """Messenger webhooks (`object: "page"`) in, `POST /me/messages` out; see
    `SendApiChannel` for parsing, media, quick replies and the window."""

    manifest: ClassVar[ChannelManifest] = MANIFEST
    webhook_object: ClassVar[str] = "page"
    provider: ClassVar[str] = "messenger"
