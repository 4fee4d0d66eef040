"""Web chat: visitor tokens, the visitor connection hub and message parsing.

`WebchatChannel` (adapter.py) is the adapter; `parse.py` reads visitor messages, `hub.py`
holds the visitors' open connections, `tokens.py` signs visitor ids.
docs/channels/webchat.md explains why.
"""

from omnicenter.channels.webchat.adapter import WebchatChannel, visitor_payload
from omnicenter.channels.webchat.hub import VisitorHub
from omnicenter.channels.webchat.manifest import MANIFEST
from omnicenter.channels.webchat.parse import (
    MAX_TEXT_CHARS,
    VisitorMessage,
    parse_visitor_message,
)
from omnicenter.channels.webchat.tokens import sign_visitor, verify_visitor

__all__ = [
    "MANIFEST",
    "MAX_TEXT_CHARS",
    "VisitorHub",
    "VisitorMessage",
    "WebchatChannel",
    "parse_visitor_message",
    "sign_visitor",
    "verify_visitor",
    "visitor_payload",
]
