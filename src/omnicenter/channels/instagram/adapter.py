"""The Instagram channel adapter: the Messenger Platform's webhooks and Send API."""

from __future__ import annotations

from typing import ClassVar

from omnicenter.channels.instagram.manifest import MANIFEST
from omnicenter.channels.meta.send_api_channel import SendApiChannel
from omnicenter.domain import ChannelManifest

__all__ = ["InstagramChannel"]


class InstagramChannel(SendApiChannel):
    """Instagram webhooks (`object: "instagram"`) in, `POST /me/messages` out; see
    `SendApiChannel` for parsing, media, quick replies and the window."""

    manifest: ClassVar[ChannelManifest] = MANIFEST
    webhook_object: ClassVar[str] = "instagram"
    provider: ClassVar[str] = "instagram"
