"""SMS: inbound webhooks and outbound sending in the Twilio Programmable Messaging format."""

from omnicenter.channels.sms.manifest import MANIFEST
from omnicenter.channels.sms.providers import (
    OutboxSmsProvider,
    SmsProvider,
    SmsSendError,
    TwilioSmsProvider,
)
from omnicenter.channels.sms.twilio import compute_signature, parse_webhook, verify_signature

__all__ = [
    "MANIFEST",
    "OutboxSmsProvider",
    "SmsProvider",
    "SmsSendError",
    "TwilioSmsProvider",
    "compute_signature",
    "parse_webhook",
    "verify_signature",
]
