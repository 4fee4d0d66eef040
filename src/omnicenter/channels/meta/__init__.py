"""What the three Meta channels (WhatsApp, Messenger, Instagram) share: the webhook
handshake and `X-Hub-Signature-256`, the Graph API client and its errors, the Send API that
Messenger and Instagram both speak; and what every messaging adapter (Telegram too) uses:
the parsed message shape and media downloads with retries.
"""

from omnicenter.channels.meta.graph import GraphApi, GraphError, OutsideWindow
from omnicenter.channels.meta.media import MediaGone, MediaUnavailable, RetryPolicy, download_all
from omnicenter.channels.meta.messages import (
    ChatMessage,
    MediaRef,
    StatusUpdate,
    Webhook,
    to_inbound,
)
from omnicenter.channels.meta.send_api_channel import HUMAN_AGENT, SendApiChannel
from omnicenter.channels.meta.signature import (
    SIGNATURE_HEADER,
    sign_body,
    verify_handshake,
    verify_signature,
)

__all__ = [
    "HUMAN_AGENT",
    "SIGNATURE_HEADER",
    "ChatMessage",
    "GraphApi",
    "GraphError",
    "MediaGone",
    "MediaRef",
    "MediaUnavailable",
    "OutsideWindow",
    "RetryPolicy",
    "SendApiChannel",
    "StatusUpdate",
    "Webhook",
    "download_all",
    "sign_body",
    "to_inbound",
    "verify_handshake",
    "verify_signature",
]
