"""SIP wire format: messages, header values, errors and digest authentication."""

from omnicenter.channels.voice.sip.errors import SipError, SipParseError
from omnicenter.channels.voice.sip.headers import Headers, canonical_name, split_list
from omnicenter.channels.voice.sip.message import (
    KNOWN_METHODS,
    REASONS,
    SipMessage,
    SipRequest,
    SipResponse,
    can_answer,
    make_response,
    parse_message,
    validate_request,
)
from omnicenter.channels.voice.sip.values import BRANCH_MAGIC, CSeq, NameAddr, SipUri, Via

__all__ = [
    "BRANCH_MAGIC",
    "KNOWN_METHODS",
    "REASONS",
    "CSeq",
    "Headers",
    "NameAddr",
    "SipError",
    "SipMessage",
    "SipParseError",
    "SipRequest",
    "SipResponse",
    "SipUri",
    "Via",
    "can_answer",
    "canonical_name",
    "make_response",
    "parse_message",
    "split_list",
    "validate_request",
]
