"""Every channel package, in one table: its folder, its manifest and its adapter class.

Adding a channel is a folder under `channels/` (manifest, adapter, docs page, fixtures) and
one line in `PACKAGES`. Whatever asks "is this channel real-time?", "how long may a text
be?", "can an agent write on it?" asks here, so the answer is the channel's own manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from omnicenter.channels import (
    email,
    forms,
    instagram,
    messenger,
    sms,
    telegram,
    voice,
    webchat,
    whatsapp,
)
from omnicenter.channels.base import ChannelAdapter
from omnicenter.domain import Channel, ChannelManifest

__all__ = [
    "MANIFESTS",
    "PACKAGES",
    "ChannelPackage",
    "is_realtime",
    "manifest_for",
    "package_for",
]


@dataclass(frozen=True, slots=True)
class ChannelPackage:
    """One channel package: `name` is its folder (`channels/<name>`, `docs/channels/<name>.md`,
    `tests/unit/channels/<name>`), `adapter` its adapter class."""

    name: str
    manifest: ChannelManifest
    adapter: type[ChannelAdapter[Any]]

    @property
    def channel(self) -> Channel:
        return self.manifest.channel


PACKAGES: tuple[ChannelPackage, ...] = (
    ChannelPackage("email", email.MANIFEST, email.EmailChannel),
    ChannelPackage("sms", sms.MANIFEST, sms.SmsChannel),
    ChannelPackage("webchat", webchat.MANIFEST, webchat.WebchatChannel),
    ChannelPackage("forms", forms.MANIFEST, forms.FormsChannel),
    ChannelPackage("voice", voice.MANIFEST, voice.VoiceChannel),
    ChannelPackage("whatsapp", whatsapp.MANIFEST, whatsapp.WhatsappChannel),
    ChannelPackage("messenger", messenger.MANIFEST, messenger.MessengerChannel),
    ChannelPackage("instagram", instagram.MANIFEST, instagram.InstagramChannel),
    ChannelPackage("telegram", telegram.MANIFEST, telegram.TelegramChannel),
)

# Channels that are another's in nature: a callback is a phone call the center places.
_SAME_AS: Mapping[Channel, Channel] = MappingProxyType({Channel.CALLBACK: Channel.VOICE})

_BY_CHANNEL: Mapping[Channel, ChannelPackage] = MappingProxyType({p.channel: p for p in PACKAGES})

MANIFESTS: Mapping[Channel, ChannelManifest] = MappingProxyType(
    {
        c: _BY_CHANNEL[_SAME_AS.get(c, c)].manifest
        for c in Channel
        if _SAME_AS.get(c, c) in _BY_CHANNEL
    }
)


def package_for(channel: Channel) -> ChannelPackage:
    """The package that handles `channel` (voice's for a callback); `LookupError` when no
    package does yet."""
    try:
        return _BY_CHANNEL[_SAME_AS.get(channel, channel)]
    except KeyError:
        raise LookupError(f"no channel package handles {channel.value}") from None


def manifest_for(channel: Channel) -> ChannelManifest:
    """`channel`'s manifest (voice's for a callback); `LookupError` when it has none."""
    return package_for(channel).manifest


def is_realtime(channel: Channel) -> bool:
    """Whether a contact on `channel` waits on the line (call, callback, chat) rather than
    in a queue (email, SMS, form)."""
    return manifest_for(channel).realtime
