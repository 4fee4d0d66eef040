"""Telegram: Bot API webhook updates in (with the secret token set by setWebhook),
`sendMessage` out.

`TelegramChannel` (adapter.py) is the adapter; `bot_api.py` the wire format, `client.py`
the Bot API client. docs/channels/telegram.md explains why.
"""

from omnicenter.channels.telegram.adapter import TelegramChannel
from omnicenter.channels.telegram.bot_api import (
    SECRET_HEADER,
    parse_update,
    send_message_payload,
    verify_secret_token,
)
from omnicenter.channels.telegram.client import BotApi
from omnicenter.channels.telegram.manifest import MANIFEST

__all__ = [
    "MANIFEST",
    "SECRET_HEADER",
    "BotApi",
    "TelegramChannel",
    "parse_update",
    "send_message_payload",
    "verify_secret_token",
]
