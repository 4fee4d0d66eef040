"""The email channel adapter: inbound SMTP, MIME parsing, outbound mail through a relay.

Read `parse.py` first (raw bytes -> `ParsedEmail` -> `InboundEvent`), then `listener.py`
(SMTP on the app's loop) and `outbound.py` (replies). docs/channels/email.md explains why.
"""

from omnicenter.channels.email.adapter import EmailChannel
from omnicenter.channels.email.errors import EmailRejected, EmailSendError
from omnicenter.channels.email.htmltext import html_to_text
from omnicenter.channels.email.limits import EmailLimits
from omnicenter.channels.email.listener import AcceptCallback, EmailListener
from omnicenter.channels.email.manifest import MANIFEST
from omnicenter.channels.email.outbound import SmtpRelaySender, build_email, format_message_ids
from omnicenter.channels.email.parse import ParsedEmail, parse_email, to_inbound
from omnicenter.channels.email.subject import (
    case_tag,
    is_reply_subject,
    normalize_subject,
    reply_subject,
)

__all__ = [
    "MANIFEST",
    "AcceptCallback",
    "EmailChannel",
    "EmailLimits",
    "EmailListener",
    "EmailRejected",
    "EmailSendError",
    "ParsedEmail",
    "SmtpRelaySender",
    "build_email",
    "case_tag",
    "format_message_ids",
    "html_to_text",
    "is_reply_subject",
    "normalize_subject",
    "parse_email",
    "reply_subject",
    "to_inbound",
]
