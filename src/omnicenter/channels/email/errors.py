"""The email adapter's two errors: one for mail we refuse, one for mail we could not send.

Library exceptions (the `email` package, aiosmtpd, aiosmtplib) are translated into these
at the adapter's edge, so the service layer only ever catches these two.
"""

from __future__ import annotations

__all__ = ["EmailRejected", "EmailSendError"]


class EmailRejected(Exception):
    """An inbound message we refuse, with the SMTP reply that tells the sender why.

    `smtp_code` is the basic reply code (550, 552, 554), `enhanced_status` the RFC 3463 code
    ("5.3.4") and `reason` a precise, human sentence with no line breaks.
    """

    def __init__(self, smtp_code: int, enhanced_status: str, reason: str) -> None:
        reason = " ".join(reason.split())  # one line: it goes into an SMTP reply
        super().__init__(f"{smtp_code} {enhanced_status} {reason}")
        self.smtp_code = smtp_code
        self.enhanced_status = enhanced_status
        self.reason = reason

    @property
    def smtp_reply(self) -> str:
        """The reply line as aiosmtpd sends it, e.g. `552 5.3.4 the message is 31 MB, ...`."""
        return f"{self.smtp_code} {self.enhanced_status} {self.reason}"


class EmailSendError(Exception):
    """Sending failed. `temporary` means the same message may succeed later (retry it)."""

    def __init__(self, temporary: bool, reason: str) -> None:
        super().__init__(reason)
        self.temporary = temporary
        self.reason = reason
