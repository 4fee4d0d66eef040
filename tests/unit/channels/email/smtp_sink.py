"""An aiosmtpd handler standing in for an SMTP relay."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["Sink"]


@dataclass
class Sink:
    """An SMTP server that records messages, or answers every DATA with a fixed reply."""

    messages: list[tuple[Envelope, Message]] = field(default_factory=list)
    data_reply: str | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply is not None:
            return self.data_reply
        assert isinstance(envelope.content, bytes)
        self.messages.append((envelope, message_from_bytes(envelope.content)))
        return "250 OK"
