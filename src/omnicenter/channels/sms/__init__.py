"""SMS: inbound webhooks and outbound sending in the Twilio Programmable Messaging format.

`SmsChannel` (adapter.py) is the adapter; `twilio.py` parses and verifies webhooks,
`providers.py` sends (Twilio's REST API, or the outbox for an operator).
docs/channels/sms.md explains why.
"""

from omnicenter.channels.sms.adapter import SmsChannel
from omnicenter.channels.sms.manifest import MANIFEST
from omnicenter.channels.sms.providers import (
    OutboxSmsProvider,
    SmsProvider,
    SmsSendError,
    TwilioSmsProvider,
)
from omnicenter.channels.sms.twilio import (
    TwilioParams,
    compute_signature,
    parse_webhook,
    verify_signature,
)

__all__ = [
    "MANIFEST",
    "OutboxSmsProvider",
    "SmsChannel",
    "SmsProvider",
    "SmsSendError",
    "TwilioParams",
    "TwilioSmsProvider",
    "compute_signature",
    "parse_webhook",
    "verify_signature",
]
