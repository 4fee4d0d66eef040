"""The email channel adapter: `receive` parses mail bytes, `send` goes through the relay."""

from __future__ import annotations

from datetime import datetime

from omnicenter.channels.base import Delivery
from omnicenter.channels.email.limits import EmailLimits
from omnicenter.channels.email.manifest import MANIFEST
from omnicenter.channels.email.outbound import SmtpRelaySender
from omnicenter.channels.email.parse import parse_email, to_inbound
from omnicenter.domain import ChannelManifest, InboundEvent, OutboundMessage

__all__ = ["EmailChannel"]


class EmailChannel:
    """`receive(raw) -> InboundEvent`; `send(msg)` through the relay, or `stored` in the
    outbox table when no relay is configured (an operator sends it)."""

    manifest: ChannelManifest = MANIFEST

    def __init__(self, sender: SmtpRelaySender | None, limits: EmailLimits = EmailLimits()) -> None:  # noqa: B008
        self._sender = sender
        self.limits = limits

    def receive(
        self, raw: bytes, *, received_at: datetime, recipient: str | None = None
    ) -> InboundEvent:
        """Parse and normalise; raises `EmailRejected` (with its SMTP reply) for mail we
        refuse. `recipient` is the envelope RCPT TO, when the mail came over SMTP."""
        return to_inbound(parse_email(raw, self.limits), received_at, recipient)

    async def send(self, msg: OutboundMessage) -> Delivery:
        """`sent` with the Message-ID, or `stored`; raises `EmailSendError` (a `SendError`)."""
        if self._sender is None:
            return Delivery.stored()
        return Delivery.sent(await self._sender.send(msg))
