"""Errors raised while reading SIP, each carrying the response code a peer should get."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnicenter.channels.voice.sip.message import SipMessage

__all__ = ["SipError", "SipParseError"]


class SipError(Exception):
    """A SIP-level failure. `status` is the response to send, `None` means drop silently."""

    def __init__(self, reason: str, status: int | None = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SipParseError(SipError):
    """A message that could not be read.

    `partial` holds what was parsed before the failure (start line and headers), so the
    endpoint can still answer `400 Bad Request` when Via, From, To, Call-ID and CSeq survived.
    """

    def __init__(
        self, reason: str, status: int | None = 400, partial: SipMessage | None = None
    ) -> None:
        super().__init__(reason, status)
        self.partial = partial
