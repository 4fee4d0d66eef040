"""Parse one raw RFC 5322 message into a `ParsedEmail`, and turn that into an `InboundEvent`.

Parsing uses the stdlib's `compat32` policy, which keeps header values as raw strings, and
decodes only the headers we use (From, To, Cc, Subject, ...). The `default` policy builds a
structured object for every header of every part, which measured about three times slower
on typical mail (see benchmarks/email_parse.py). Limits are enforced twice: `prescan` on the
raw bytes before parsing, then exactly while walking the parsed tree.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from omnicenter.channels.email.decode import decode_bytes, decode_header_value, unfold
from omnicenter.channels.email.errors import EmailRejected
from omnicenter.channels.email.htmltext import html_to_text
from omnicenter.channels.email.limits import EmailLimits, human_size, prescan
from omnicenter.channels.email.subject import normalize_subject
from omnicenter.domain import Attachment, Channel, InboundEvent

__all__ = [
    "EmailLimits",
    "EmailRejected",
    "ParsedEmail",
    "normalize_subject",
    "parse_email",
    "to_inbound",
]

log = logging.getLogger(__name__)

_DEFAULT_LIMITS = EmailLimits()
_PARSER = BytesParser(policy=compat32)


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """What the contact center needs from one email, decoded to text.

    `message_id` has no angle brackets; `synthetic_id` says it was made from a hash of the
    message because the sender gave none. `auto_submitted` is true for auto-replies,
    bounces and bulk or list mail: never answer those automatically (mail loops).
    """

    message_id: str
    from_address: str
    subject: str
    text: str
    from_name: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: str | None = None
    date: datetime | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    auto_submitted: bool = False
    auto_reason: str | None = None
    synthetic_id: bool = False
    size: int = 0

    @property
    def thread_refs(self) -> tuple[str, ...]:
        """In-Reply-To then References, without duplicates: the ids this message answers."""
        refs = (self.in_reply_to, *self.references) if self.in_reply_to else self.references
        return tuple(dict.fromkeys(refs))


# ---------------------------------------------------------------- headers


class _Headers:
    """Top-level header values by lower-case name, as raw strings (8-bit kept as escapes)."""

    def __init__(self, msg: Message) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._values.setdefault(name.lower(), []).append(str(value))

    def first(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])


_MSGID_RE = re.compile(r"<([^<>\s]{1,900})>")


def _message_ids(value: str | None) -> list[str]:
    """`<a@x> <b@y>` -> ['a@x', 'b@y']; bare ids separated by spaces are accepted too."""
    if not value:
        return []
    value = unfold(value)
    ids = _MSGID_RE.findall(value)
    if not ids and "<" not in value:
        ids = [token for token in value.replace(",", " ").split() if "@" in token]
    return [i for i in ids if _printable(i)]


def _printable(text: str) -> bool:
    return text.isascii() and text.isprintable() and len(text) <= 900


def _addresses(headers: _Headers, name: str) -> list[tuple[str, str]]:
    """(decoded display name, lower-case addr-spec) pairs; entries without @ are dropped."""
    values = [unfold(v) for v in headers.all(name)]
    out: list[tuple[str, str]] = []
    for display, addr in getaddresses(values):
        addr = decode_header_value(addr).strip().lower()
        if "@" in addr and " " not in addr:
            out.append((decode_header_value(display), addr))
    return out


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(unfold(value))
        if parsed.tzinfo is None:  # "-0000": RFC 5322 says the zone is unknown; we use UTC
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


_TRACE_HEADERS = frozenset(
    {b"received", b"return-path", b"delivered-to", b"x-original-to", b"x-received"}
)


def _synthetic_id(raw: bytes) -> str:
    """A stable id for mail without Message-ID: the hash ignores trace headers that relays
    add, so the same message delivered twice (or over SMTP and IMAP) gets the same id."""
    digest = hashlib.sha256()
    lines = iter(raw.splitlines(keepends=True))
    skipping = False
    for line in lines:
        if line in (b"\r\n", b"\n"):
            digest.update(line)
            break
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                digest.update(line)
            continue
        skipping = line.split(b":", 1)[0].strip().lower() in _TRACE_HEADERS
        if not skipping:
            digest.update(line)
    for line in lines:
        digest.update(line)
    return f"sha256.{digest.hexdigest()[:48]}@omnicenter.invalid"


def _auto_reason(headers: _Headers, msg: Message, from_address: str) -> str | None:
    """Why this message must not get an automatic answer (RFC 3834), or None."""
    auto = (headers.first("auto-submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    precedence = (headers.first("precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-auto-response", "x-autogenerated"):
        if headers.first(name) is not None:
            return f"{name} header"
    if headers.first("list-id") is not None or headers.first("list-unsubscribe") is not None:
        return "mailing list"
    if msg.get_content_type() == "multipart/report":
        return "delivery or read report"
    local = from_address.split("@", 1)[0]
    if local in ("mailer-daemon", "postmaster") or local.startswith(("noreply", "no-reply")):
        return f"sender {local}"
    return None


# ---------------------------------------------------------------- body and attachments


def _part_filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (ValueError, LookupError, TypeError):
        return None
    if not name:
        return None
    return decode_header_value(str(name)).replace("/", "_").replace("\\", "_") or None


_EXTENSIONS = {
    "text/plain": "txt",
    "text/html": "html",
    "text/calendar": "ics",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "application/pdf": "pdf",
    "message/rfc822": "eml",
}


class _Collector:
    """Walks the parsed tree once: checks the limits, gathers bodies and attachments."""

    def __init__(self, limits: EmailLimits) -> None:
        self.limits = limits
        self.text: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.attachment_bytes = 0
        self.parts = 0

    def walk(self, root: Message) -> None:
        # (part, depth, extract): parts inside an attached message only count for limits.
        stack: list[tuple[Message, int, bool]] = [(root, 0, True)]
        while stack:
            part, depth, extract = stack.pop()
            self.parts += 1
            if self.parts > self.limits.max_parts:
                raise EmailRejected(
                    554, "5.6.0", f"the message has more than {self.limits.max_parts} MIME parts"
                )
            if depth > self.limits.max_depth:
                raise EmailRejected(
                    554,
                    "5.6.0",
                    f"MIME parts are nested {depth} deep, the limit is {self.limits.max_depth}",
                )
            ctype = part.get_content_type()
            if extract and ctype == "message/rfc822" and depth > 0:
                self._attach_message(part)
                extract = False
            # is_multipart() first: get_payload() on a leaf decodes it with the declared
            # charset, which raises ValueError for names such as "utf\0-8".
            if part.is_multipart():
                payload = part.get_payload()
                children = [(c, depth + 1, extract) for c in payload if isinstance(c, Message)]
                stack.extend(reversed(children))
            elif extract:
                self._leaf(part, ctype)

    def _leaf(self, part: Message, ctype: str) -> None:
        filename = _part_filename(part)
        disposition = part.get_content_disposition()
        if (
            disposition != "attachment"
            and filename is None
            and ctype in ("text/plain", "text/html")
        ):
            data = part.get_payload(decode=True)
            try:
                charset = part.get_content_charset()
            except ValueError:  # an RFC 2231 charset name with a NUL in it
                charset = None
            text = decode_bytes(data if isinstance(data, bytes) else b"", charset)
            text = text.replace("\r\n", "\n")
            (self.text if ctype == "text/plain" else self.html).append(text)
            return
        data = part.get_payload(decode=True)
        self._add(filename, ctype, data if isinstance(data, bytes) else b"")

    def _attach_message(self, part: Message) -> None:
        inner = part.get_payload(0) if part.is_multipart() else None
        data = b""
        subject = None
        if isinstance(inner, Message):
            subject = inner.get("subject")
            try:
                data = inner.as_bytes(policy=compat32)
            except (ValueError, LookupError, TypeError, UnicodeError):
                data = b""
        name = _part_filename(part)
        if name is None and subject:
            name = decode_header_value(str(subject))[:100] + ".eml"
        self._add(name, "message/rfc822", data)

    def _add(self, filename: str | None, ctype: str, data: bytes) -> None:
        name = filename or f"part-{len(self.attachments) + 1}.{_EXTENSIONS.get(ctype, 'bin')}"
        limits = self.limits
        if len(data) > limits.max_attachment_bytes:
            raise EmailRejected(
                552,
                "5.3.4",
                f"attachment '{name}' is {human_size(len(data))}, "
                f"the limit is {human_size(limits.max_attachment_bytes)}",
            )
        self.attachment_bytes += len(data)
        if self.attachment_bytes > limits.max_total_attachment_bytes:
            raise EmailRejected(
                552,
                "5.3.4",
                f"attachments total {human_size(self.attachment_bytes)} or more, "
                f"the limit is {human_size(limits.max_total_attachment_bytes)}",
            )
        self.attachments.append(Attachment(filename=name, content_type=ctype, data=data))


# ---------------------------------------------------------------- entry points


def _parse(raw: bytes, limits: EmailLimits) -> ParsedEmail:
    prescan(raw, limits)
    msg = _PARSER.parsebytes(raw)
    headers = _Headers(msg)

    senders = _addresses(headers, "from") or _addresses(headers, "sender")
    if not senders:
        if headers.first("from") is None:
            raise EmailRejected(550, "5.1.7", "the message has no From header")
        raise EmailRejected(550, "5.1.7", "the From header has no valid email address")
    from_name, from_address = senders[0]

    collector = _Collector(limits)
    collector.walk(msg)

    raw_id = _message_ids(headers.first("message-id"))
    message_id = raw_id[0] if raw_id else _synthetic_id(raw)
    in_reply_to = _message_ids(headers.first("in-reply-to"))
    references = _message_ids(" ".join(headers.all("references")))
    references = list(dict.fromkeys(references))[-limits.max_references :]
    reply_to = _addresses(headers, "reply-to")

    html = "\n".join(collector.html) if collector.html else None
    # Only an HTML body: render it, so routing rules and agents still get plain text.
    text = "\n".join(collector.text) if collector.text else (html_to_text(html) if html else "")
    auto_reason = _auto_reason(headers, msg, from_address)
    subject = headers.first("subject")
    return ParsedEmail(
        message_id=message_id,
        from_address=from_address,
        from_name=from_name or None,
        subject=decode_header_value(subject) if subject else "",
        text=text,
        html=html,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(references),
        to=tuple(addr for _, addr in _addresses(headers, "to")),
        cc=tuple(addr for _, addr in _addresses(headers, "cc")),
        reply_to=reply_to[0][1] if reply_to else None,
        date=_date(headers.first("date")),
        attachments=tuple(collector.attachments),
        auto_submitted=auto_reason is not None,
        auto_reason=auto_reason,
        synthetic_id=not raw_id,
        size=len(raw),
    )


def parse_email(raw: bytes, limits: EmailLimits = _DEFAULT_LIMITS) -> ParsedEmail:
    """Parse raw message bytes. Bad or hostile input raises `EmailRejected`, nothing else."""
    try:
        return _parse(raw, limits)
    except EmailRejected:
        raise
    except RecursionError:
        raise EmailRejected(554, "5.6.0", "the MIME structure is nested too deeply") from None
    except Exception as exc:  # a parser bug must refuse one message, never kill the listener
        log.exception("email parser failed on a %d-byte message", len(raw))
        raise EmailRejected(
            554,
            "5.6.0",
            f"internal parser error: the message could not be read ({type(exc).__name__})",
        ) from exc


def to_inbound(
    parsed: ParsedEmail, received_at: datetime, recipient: str | None = None
) -> InboundEvent:
    """The channel-neutral event the service stores; `received_at` must be timezone-aware."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    meta: dict[str, Any] = {
        "to": list(parsed.to),
        "cc": list(parsed.cc),
        "auto_submitted": parsed.auto_submitted,
        "auto_reason": parsed.auto_reason,
        "reply_to": parsed.reply_to,
        "date": parsed.date.isoformat() if parsed.date else None,
        "synthetic_id": parsed.synthetic_id,
        "normalized_subject": normalize_subject(parsed.subject),
    }
    return InboundEvent(
        channel=Channel.EMAIL,
        sender=parsed.from_address,
        sender_name=parsed.from_name,
        body=parsed.text,
        html=parsed.html,
        subject=parsed.subject,
        received_at=received_at.astimezone(UTC),
        recipient=recipient.lower() if recipient else None,
        idempotency_key=parsed.message_id,
        message_ref=parsed.message_id,
        thread_refs=parsed.thread_refs,
        attachments=parsed.attachments,
        meta=meta,
    )
