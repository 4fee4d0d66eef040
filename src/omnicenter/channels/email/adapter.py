"""The email channel in the shape every channel adapter has: manifest, receive, send."""

from __future__ import annotations

from datetime import UTC, datetime

from omnicenter.channels.email.limits import EmailLimits
from omnicenter.channels.email.manifest import MANIFEST
from omnicenter.channels.email.outbound import SmtpRelaySender
from omnicenter.channels.email.parse import parse_email, to_inbound
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage

__all__ = ["EmailChannel"]


class EmailChannel:
    """`receive(raw) -> InboundEvent` for the service; `send(msg)` through the relay."""

    manifest: ChannelManifest = MANIFEST

    def __init__(self, sender: SmtpRelaySender | None, limits: EmailLimits = EmailLimits()) -> None:  # noqa: B008
        self._sender = sender
        self.limits = limits

    def receive(
        self,
        raw: bytes,
        *,
        received_at: datetime | None = None,
        recipient: str | None = None,
    ) -> InboundEvent:
        """Parse and normalise; raises `EmailRejected` for mail we refuse."""
        parsed = parse_email(raw, self.limits)
        return to_inbound(parsed, received_at or datetime.now(UTC), recipient)

    async def send(self, msg: OutboundMessage) -> str:
        """Send and return the Message-ID; raises `EmailSendError`."""
        if self._sender is None:
            raise RuntimeError("no SMTP relay is configured for outbound email")
        return await self._sender.send(msg)
