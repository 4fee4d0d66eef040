"""Outbound mail: build the MIME message for a reply, and send it through a relay.

The Message-ID is derived from the timeline event id (`<{event_id}@{domain}>`), so a
customer's reply to it points straight back at the event, and a retried send of the same
event carries the same id (receivers de-duplicate it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

import aiosmtplib

from omnicenter.channels.email.errors import EmailSendError
from omnicenter.channels.email.subject import reply_subject
from omnicenter.domain import Attachment, OutboundMessage

__all__ = ["SmtpRelaySender", "build_email", "format_message_ids"]

log = logging.getLogger(__name__)

# Headers we set ourselves; a caller setting them would produce a broken or spoofed message.
_RESERVED = frozenset(
    {
        "from", "to", "date", "message-id", "subject", "mime-version", "sender",
        "content-type", "content-transfer-encoding", "content-disposition", "bcc",
    }
)  # fmt: skip
_ID_RE = re.compile(r"<?([^<>\s]+@[^<>\s]+)>?")


def format_message_ids(ids: str | Iterable[str]) -> str:
    """`a@x b@y` or ['<a@x>', 'b@y'] -> `<a@x> <b@y>` (References / In-Reply-To syntax)."""
    text = ids if isinstance(ids, str) else " ".join(ids)
    return " ".join(f"<{m}>" for m in _ID_RE.findall(text))


def _attachments(msg: OutboundMessage) -> tuple[Attachment, ...]:
    value = msg.meta.get("attachments", ())
    if not isinstance(value, list | tuple) or not all(isinstance(a, Attachment) for a in value):
        raise EmailSendError(False, "meta['attachments'] must be a sequence of Attachment")
    return tuple(value)


def build_email(
    msg: OutboundMessage,
    *,
    from_address: str,
    domain: str,
    now: datetime | None = None,
) -> EmailMessage:
    """The RFC 5322 message for `msg`.

    `msg.headers` may carry `In-Reply-To` and `References` (the thread's message ids, with
    or without angle brackets), `Cc`, `Reply-To`, `Auto-Submitted` and `X-*` headers.
    `msg.sender`, when set, is the display name shown with `from_address`. A reply (one
    with In-Reply-To) gets `Re: ` in front of its subject unless it has a prefix already.
    `msg.meta['html']` adds an HTML alternative, `msg.meta['attachments']` attachments.
    Invalid input raises `EmailSendError(temporary=False)`.
    """
    headers = {name.strip(): value for name, value in msg.headers.items()}
    lower = {name.lower(): value for name, value in headers.items()}
    reserved = sorted(name for name in headers if name.lower() in _RESERVED)
    if reserved:
        raise EmailSendError(False, f"headers {reserved} are set by the email adapter")
    in_reply_to = format_message_ids(lower.get("in-reply-to", ""))
    references = format_message_ids(lower.get("references", ""))
    if in_reply_to and not references:
        references = in_reply_to  # RFC 5322 3.6.4: References lists the parent at least

    email = EmailMessage(policy=SMTP_POLICY)
    try:
        email["From"] = formataddr((msg.sender, from_address)) if msg.sender else from_address
        email["To"] = msg.to
        email["Date"] = format_datetime(now or datetime.now(UTC))
        email["Message-ID"] = f"<{msg.event_id}@{domain}>"
        subject = msg.subject or ""
        email["Subject"] = reply_subject(subject) if in_reply_to else subject
        if in_reply_to:
            email["In-Reply-To"] = in_reply_to.split()[0]
        if references:
            email["References"] = references
        for name, value in headers.items():
            if name.lower() not in ("in-reply-to", "references"):
                email[name] = value
        email.set_content(msg.body)
        html = msg.meta.get("html")
        if isinstance(html, str) and html:
            email.add_alternative(html, subtype="html")
        for attachment in _attachments(msg):
            maintype, _, subtype = attachment.content_type.partition("/")
            email.add_attachment(
                attachment.data,
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )
        _check_addresses(email)
    except EmailSendError:
        raise
    except (ValueError, TypeError, IndexError) as exc:  # header injection, bad address
        raise EmailSendError(False, f"cannot build the message: {exc}") from exc
    return email


def _check_addresses(email: EmailMessage) -> None:
    for name in ("From", "To", "Cc"):
        for header in email.get_all(name, []):
            for address in getattr(header, "addresses", ()):
                if not isinstance(address, Address) or not address.domain:
                    raise EmailSendError(False, f"{name} has an invalid address: {header}")


def _translate(exc: Exception) -> EmailSendError:
    """One error type for the service: temporary (4xx, network) or permanent (5xx)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        return EmailSendError(all(400 <= c < 500 for c in codes), f"recipients refused: {detail}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return EmailSendError(400 <= exc.code < 500, f"relay replied {exc.code} {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return EmailSendError(False, f"relay does not support what we need: {exc}")
    # Timeouts, refused connections, disconnects: the relay may be back in a minute.
    return EmailSendError(True, f"cannot reach the relay: {type(exc).__name__}: {exc}")


class SmtpRelaySender:
    """Sends outbound messages through one SMTP relay (a smarthost), one connection each."""

    def __init__(
        self,
        host: str,
        port: int,
        from_address: str,
        domain: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
        *,
        use_tls: bool = False,
        validate_certs: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.from_address = from_address
        self.domain = domain
        self._username = username
        self._password = password
        self._starttls = starttls
        self._use_tls = use_tls
        self._validate_certs = validate_certs
        self._timeout = timeout

    def build(self, msg: OutboundMessage) -> EmailMessage:
        return build_email(msg, from_address=self.from_address, domain=self.domain)

    async def send(self, msg: OutboundMessage) -> str:
        """Send `msg`; return its Message-ID (with angle brackets). Raises `EmailSendError`."""
        email = self.build(msg)
        try:
            refused, _reply = await aiosmtplib.send(
                email,
                sender=self.from_address,
                hostname=self.host,
                port=self.port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                use_tls=self._use_tls,
                validate_certs=self._validate_certs,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise _translate(exc) from exc
        if refused:  # some (not all) recipients refused: the message went to the rest
            log.warning("relay refused some recipients of %s: %s", email["Message-ID"], refused)
        return str(email["Message-ID"])
