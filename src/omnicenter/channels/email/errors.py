"""The email adapter's two errors: one for mail we refuse, one for mail we could not send.

Library exceptions (the `email` package, aiosmtpd, aiosmtplib) are translated into these
at the adapter's edge. They are the channels' `ChannelError` and `SendError`, with what
SMTP needs on top, so callers catch those two as for every channel.
"""

from __future__ import annotations

from omnicenter.channels.errors import ChannelError, SendError

__all__ = ["EmailRejected", "EmailSendError"]


class EmailRejected(ChannelError):
    """An inbound message we refuse, with the SMTP reply that tells the sender why.

    `smtp_code` is the basic reply code (550, 552, 554), `enhanced_status` the RFC 3463 code
    ("5.3.4") and `reason` a precise, human sentence with no line breaks. As a
    `ChannelError` its `status` is 413 for mail over a size limit (552), else 400.
    """

    def __init__(self, smtp_code: int, enhanced_status: str, reason: str) -> None:
        reason = " ".join(reason.split())  # one line: it goes into an SMTP reply
        super().__init__(reason, status=413 if smtp_code == 552 else 400)
        self.smtp_code = smtp_code
        self.enhanced_status = enhanced_status

    def __str__(self) -> str:
        return self.smtp_reply

    @property
    def smtp_reply(self) -> str:
        """The reply line as aiosmtpd sends it, e.g. `552 5.3.4 the message is 31 MB, ...`."""
        return f"{self.smtp_code} {self.enhanced_status} {self.reason}"


class EmailSendError(SendError):
    """Sending failed. `temporary` means the same message may succeed later (retry it)."""

    def __init__(self, temporary: bool, reason: str) -> None:
        super().__init__(reason, temporary=temporary)
