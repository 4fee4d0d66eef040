"""Web chat: visitor tokens, the visitor connection hub and message parsing."""

from omnicenter.channels.webchat.adapter import MANIFEST, parse_visitor_message
from omnicenter.channels.webchat.hub import VisitorHub
from omnicenter.channels.webchat.tokens import sign_visitor, verify_visitor

__all__ = ["MANIFEST", "VisitorHub", "parse_visitor_message", "sign_visitor", "verify_visitor"]
