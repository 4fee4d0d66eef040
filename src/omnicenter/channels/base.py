"""The shape every channel adapter has: a manifest, `receive` and `send`.

`receive` turns the channel's raw input (mail bytes, webhook parameters, a visitor's
payload, a call) into the one `InboundEvent` the ingest service takes, raising
`ChannelError` for input it refuses. `send` hands an `OutboundMessage` to the channel and
says what became of it (`Delivery`), raising `SendError` when it could not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage
from omnicenter.domain.messages import DeliveryStatus

__all__ = ["ChannelAdapter", "Delivery"]

Raw = TypeVar("Raw", contravariant=True)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What `send` did: `sent` (handed to the provider, `reference` is its id for the
    message: Message-ID, message SID) or `stored` (kept for later: no relay or gateway is
    configured, or the chat visitor is away and reads it in the transcript)."""

    status: Literal[DeliveryStatus.SENT, DeliveryStatus.STORED]
    reference: str | None = None

    @classmethod
    def sent(cls, reference: str | None = None) -> Delivery:
        return cls(DeliveryStatus.SENT, reference)

    @classmethod
    def stored(cls) -> Delivery:
        return cls(DeliveryStatus.STORED)


class ChannelAdapter(Protocol[Raw]):
    """One channel at its edge. `Raw` is what the channel's entry point hands to `receive`."""

    @property
    def manifest(self) -> ChannelManifest: ...

    def receive(self, raw: Raw, *, received_at: datetime) -> InboundEvent:
        """The normalised event; raises `ChannelError(reason, status=...)` for bad input."""
        ...

    async def send(self, msg: OutboundMessage) -> Delivery:
        """Deliver `msg`; raises `SendError(reason, temporary=...)`."""
        ...
